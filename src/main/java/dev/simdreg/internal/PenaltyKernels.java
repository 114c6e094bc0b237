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
     * The float totals of the blocks of {@code [from, from + n)} (from a block's start), of {@code (scale·x)²}
     * when squares, else of {@code |x|}, each in {@link SumOrder}'s order, into {@code totals[at ..]}; a sum
     * adds them in float64 in order.
     */
    void blockTotals(MemorySegment x, int from, int n, boolean squares, float scale, float[] totals, int at);

    /**
     * {@code sum x[i]^2} over row r, {@code [from + r·cols, from + (r + 1)·cols)}, into {@code sums[r]} for each
     * of rows rows, each the float64 sum of the row's {@link #blockTotals}
     * of squares, rounded to float.
     */
    void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums);

    /** {@code max |x[i]|} over {@code [from, from + n)}; NaN if any element is NaN, 0 if n is 0. */
    float maxAbs(MemorySegment x, int from, int n);

    /** {@code x[i] *= factor} over {@code [from, from + n)}. */
    void scale(MemorySegment x, int from, int n, float factor);
}
