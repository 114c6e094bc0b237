package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of the norm-penalty family. Element counts and offsets are in floats; arguments are valid
 * (the public facade checked them).
 */
public interface PenaltyKernels {

    /** Floats per block of the sums below: float partial sums within a block (see {@link SumOrder}), double across. */
    int SUM_BLOCK = 1 << 14;

    /** {@code out[i] = sign(x[i]) * max(|x[i]| - threshold, 0)} over {@code [from, from + n)}; out may be x. */
    void softThreshold(MemorySegment x, MemorySegment out, int from, int n, float threshold);

    /** {@code w[i] = softThreshold(w[i] - learningRate * g[i], threshold)} over {@code [from, from + n)}. */
    void proximalL1Step(MemorySegment w, MemorySegment g, int from, int n, float learningRate, float threshold);

    /**
     * The float total of one block, {@code [from, from + n)} with n at most {@link #SUM_BLOCK}, of
     * {@code (scale·x)²} when squares, else of {@code |x|}, in {@link SumOrder}'s order; a sum adds its blocks'
     * totals in float64 in order.
     */
    float blockTotal(MemorySegment x, int from, int n, boolean squares, float scale);

    /**
     * {@code sum x[i]^2} over row r, {@code [from + r·cols, from + (r + 1)·cols)}, into {@code sums[r]} for each
     * of rows rows, each the float64 sum of the {@link #blockTotal}s of
     * squares of the row's blocks, rounded to float.
     */
    void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums);

    /** {@code max |x[i]|} over {@code [from, from + n)}; NaN if any element is NaN, 0 if n is 0. */
    float maxAbs(MemorySegment x, int from, int n);

    /** {@code x[i] *= factor} over {@code [from, from + n)}. */
    void scale(MemorySegment x, int from, int n, float factor);
}
