package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** Kernels of dropout. Arguments are valid; y may be x. */
public interface DropoutKernels {

    /**
     * {@code y[i] = bit(i) ? x[i]·scales[(phase + i − from) mod period] : +0} for i in {@code [from, from + n)};
     * bit(i) is bit {@code i − from} of the bits that start at 64-bit group {@code firstGroup} of the mask
     * (see {@link BitMasks}). from is a multiple of 64; scales holds at least {@code period + 64} entries and
     * repeats with the period, which is at least 16.
     */
    void applyMask(MemorySegment x, MemorySegment y, long from, int n, MemorySegment mask, ByteOrder order,
                   long firstGroup, float[] scales, int period, int phase);

    /** {@code y[i] = x[i]·factor} over {@code [from, from + n)}. */
    void scale(MemorySegment x, MemorySegment y, long from, int n, float factor);

    /** {@code out[r·cols + c] = w[r·cols + c]·factors[c]} for every row r. */
    void scaleColumns(MemorySegment w, MemorySegment out, int rows, int cols, float[] factors);
}
