/** A program that uses simdreg as a named module. */
module dev.simdreg.consumer {
    requires dev.simdreg;
}
