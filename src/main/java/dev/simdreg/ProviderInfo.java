package dev.simdreg;

/**
 * The kernels in use.
 *
 * @param name       {@code "vector"} or {@code "scalar"}
 * @param vectorBits the vector width in bits, 0 for the scalar provider
 * @param reason     why this provider was chosen, and how to get the fast path where it was not
 */
public record ProviderInfo(String name, int vectorBits, String reason) {

    @Override
    public String toString() {
        return vectorBits == 0 ? name + " (" + reason + ")" : name + " " + vectorBits + "-bit (" + reason + ")";
    }
}
