package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/** Kernels of dropout. Arguments are valid; y may be x. */
public interface DropoutKernels {

    /**
     * {@code y[from + k] = bit(k) ? x[from + k]·scale : +0} for k in {@code [0, n)}; bit(k) is bit
     * {@code k mod 64} of {@code bits[k / 64]}.
     */
    void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float scale);

    /**
     * {@code y[from + k] = bit(k) ? x[from + k]·scales[(phase + k) mod period] : +0} for k in {@code [0, n)};
     * bit(k) is bit {@code k mod 64} of {@code bits[k / 64]}. scales is a {@link Periodic} table.
     */
    void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float[] scales, int period,
                   int phase);

    /** {@code y[i] = x[i]·factor} over {@code [from, from + n)}. */
    void scale(MemorySegment x, MemorySegment y, long from, int n, float factor);

    /** {@code out[r·cols + c] = w[r·cols + c]·factors[c]} for rows {@code [firstRow, firstRow + rows)}. */
    void scaleColumns(MemorySegment w, MemorySegment out, long firstRow, int rows, int cols, float[] factors);
}
