package dev.simdreg.report;

/**
 * One measured benchmark: a kernel on one implementation at one working-set size.
 *
 * @param kernel   the kernel's name, as the benchmark method ({@code sgd}, {@code trainingForward}, ...)
 * @param impl     {@code vector}, {@code scalar}, {@code loop}, {@code ceiling} or a peer ({@code pytorch})
 * @param size     the working set: bytes per array ({@code 256 KiB}) or a batch-norm shape
 * @param elements floats per array
 * @param nsPerOp  JMH's score, ns per call
 * @param error    JMH's error (99.9% half-width), ns
 * @param bytesPerOp heap bytes allocated per call (JMH's GC profiler, {@code gc.alloc.rate.norm}), NaN if not measured
 */
public record Measurement(String kernel, String impl, String size, long elements, double nsPerOp, double error,
                          double bytesPerOp) {

    public double nsPerElement() {
        return nsPerOp / elements;
    }

    /** Minimal bytes moved (every input read once, every output written once) over time. */
    public double gigabytesPerSecond() {
        return Accounting.bytesPerElement(kernel) * (double) elements / nsPerOp;
    }
}
