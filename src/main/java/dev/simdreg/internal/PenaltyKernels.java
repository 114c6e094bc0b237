package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of the norm-penalty family. Element counts and offsets are in floats; arguments are valid
 * (the public facade checked them).
 */
public interface PenaltyKernels {

    /** Floats per block of the sums below: float partial sums within a block (see {@link SumOrder}), double across. */
    int SUM_BLOCK = 1 << 14;

    /** {@code out[i] = sign(x[i]) * max(|x[i]| - threshold, 0)}; out may be x. */
    void softThreshold(MemorySegment x, MemorySegment out, int n, float threshold);

    /** {@code w[i] = softThreshold(w[i] - learningRate * g[i], threshold)}. */
    void proximalL1Step(MemorySegment w, MemorySegment g, int n, float learningRate, float threshold);

    /** {@code sum |x[i]|} over {@code [from, from + n)}, in {@link SumOrder}'s order over blocks of {@link #SUM_BLOCK}. */
    float sumAbs(MemorySegment x, int from, int n);

    /** {@code sum (scale * x[i])^2} over {@code [from, from + n)}, in the order of {@link #sumAbs}. */
    float sumSquares(MemorySegment x, int from, int n, float scale);

    /**
     * The float totals of the blocks of {@code [from, from + n)} (from a block's start), of {@code (scale·x)²}
     * when squares, else of {@code |x|}, into {@code totals[at ..]}: the terms {@link #sumAbs} and
     * {@link #sumSquares} add in float64.
     */
    void blockTotals(MemorySegment x, int from, int n, boolean squares, float scale, float[] totals, int at);

    /**
     * {@code sum x[i]^2} over row r, {@code [from + r·cols, from + (r + 1)·cols)}, into {@code sums[r]} for each
     * of rows rows, each the bits {@link #sumSquares} gives for the row.
     */
    void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums);

    /** {@code max |x[i]|} over {@code [from, from + n)}; NaN if any element is NaN, 0 if n is 0. */
    float maxAbs(MemorySegment x, int from, int n);

    /** {@code x[i] *= factor} over {@code [from, from + n)}. */
    void scale(MemorySegment x, int from, int n, float factor);
}
