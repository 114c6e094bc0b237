package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/**
 * Scalar norm-penalty kernels. The static range methods are also the vector kernels' tails, so a tail
 * element gets the same bits as on the scalar path.
 */
public final class ScalarPenaltyKernels implements PenaltyKernels {

    /** {@code sign(x) * max(|x| - t, 0)}: keeps the sign of zero results, as PyTorch's softshrink. */
    static float softThreshold(float x, float threshold) {
        return Math.copySign(Math.max(Math.abs(x) - threshold, 0f), x);
    }

    public static void softThresholdRange(MemorySegment x, MemorySegment out, int from, int to, float threshold) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            set(out, i, softThreshold(get(x, i), threshold));
        }
    }

    public static void proximalL1StepRange(MemorySegment w, MemorySegment g, int from, int to, float learningRate,
                                      float threshold) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            set(w, i, softThreshold(Math.fma(-learningRate, get(g, i), get(w, i)), threshold));
        }
    }

    public static float maxAbsRange(MemorySegment x, int from, int to) {
        float max = 0;
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            max = Math.max(max, Math.abs(get(x, i)));
        }
        return max;
    }

    public static void scaleRange(MemorySegment x, int from, int to, float factor) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            set(x, i, get(x, i) * factor);
        }
    }

    /**
     * Adds the folded magnitudes of {@code [from, to)}, half groups of a block from blockStart, to
     * {@code p[0..32)} in {@link SumOrder}'s order; the vector kernels' short last half. Each half's terms go
     * through the scratch with zeros past the end: a test per term (position below to) made C2 trap on its
     * profiled loop predicate and recompile about a hundred times, boxing its callers' vectors meanwhile
     * (NCHW batch norm with runs of 1927 values at 53 ns per value, -Xlog:deoptimization).
     */
    public static void addAbsGroups(MemorySegment x, long blockStart, long from, long to, float[] p) {
        for (long h = from; h < to; h += SumOrder.HALF) {
            int count = (int) Math.min(SumOrder.HALF, to - h);
            Arrays.fill(p, SumOrder.TERMS + count, SumOrder.TERMS + SumOrder.HALF, 0f);
            for (int r = 0; r < count; r++) {
                p[SumOrder.TERMS + r] = Math.abs(get(x, h + r));
            }
            SumOrder.addFolded(p, SumOrder.partialsOfHalf(blockStart, h), SumOrder.TERMS);
        }
    }

    /**
     * Adds the squares of {@code scale·x} over {@code [from, to)}, positions from blockStart, to the partials
     * {@code p[0..64)} in {@link SumOrder}'s rule for squares (the product skipped at scale 1 as the vector kernels
     * do); the vector kernels' short last group.
     */
    public static void addSquares(MemorySegment x, long blockStart, long from, long to, float scale, float[] p) {
        for (long i = from; i < to; i++) {
            float v = get(x, i);
            v = scale == 1f ? v : v * scale;
            int j = (int) (i - blockStart) & (SumOrder.SQUARE_PARTIALS - 1);
            p[j] = Math.fma(v, v, p[j]);
        }
    }

    /** A block of {@link PenaltyKernels#SUM_BLOCK} floats or fewer, squares or magnitudes. */
    private static float sumOfBlock(MemorySegment x, long from, long to, boolean squares, float scale) {
        float[] p = SumOrder.scratch();
        if (squares) {
            Arrays.fill(p, 0, SumOrder.SQUARE_PARTIALS, 0f);
            addSquares(x, from, from, to, scale, p);
            return SumOrder.totalOfSquares(p, 0);
        }
        Arrays.fill(p, 0, SumOrder.PARTIALS, 0f);
        addAbsGroups(x, from, from, to, p);
        return SumOrder.total(p, 0);
    }

    @Override
    public float blockTotal(MemorySegment x, int from, int n, boolean squares, float scale) {
        return sumOfBlock(x, from, from + n, squares, scale);
    }

    private static float sumInBlocks(MemorySegment x, int from, int n, boolean squares, float scale) {
        double total = 0;
        for (int block = from, end = from + n; block < end; block += SUM_BLOCK) {
            total += sumOfBlock(x, block, Math.min(end, block + SUM_BLOCK), squares, scale);
        }
        return (float) total;
    }

    @Override
    public void softThreshold(MemorySegment x, MemorySegment out, int from, int n, float threshold) {
        softThresholdRange(x, out, from, from + n, threshold);
    }

    @Override
    public void proximalL1Step(MemorySegment w, MemorySegment g, int from, int n, float learningRate,
                               float threshold) {
        proximalL1StepRange(w, g, from, from + n, learningRate, threshold);
    }

    @Override
    public void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums) {
        for (int r = 0; r < rows; r++) {
            sums[r] = sumInBlocks(x, from + r * cols, cols, true, 1f);
        }
    }

    @Override
    public float maxAbs(MemorySegment x, int from, int n) {
        return maxAbsRange(x, from, from + n);
    }

    @Override
    public void scale(MemorySegment x, int from, int n, float factor) {
        scaleRange(x, from, from + n, factor);
    }
}
