package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

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

    /** Accumulated in double: free for scalar code, and one float accumulator drifts by n·2^-24 over long inputs. */
    public static float sumAbsRange(MemorySegment x, int from, int to) {
        double sum = 0;
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            sum += Math.abs(get(x, i));
        }
        return (float) sum;
    }

    /** Squares of the scaled floats, accumulated in double as {@link #sumAbsRange}. */
    public static float sumSquaresRange(MemorySegment x, int from, int to, float scale) {
        double sum = 0;
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            double v = get(x, i) * scale;
            sum += v * v;
        }
        return (float) sum;
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

    @Override
    public void softThreshold(MemorySegment x, MemorySegment out, int n, float threshold) {
        softThresholdRange(x, out, 0, n, threshold);
    }

    @Override
    public void proximalL1Step(MemorySegment w, MemorySegment g, int n, float learningRate, float threshold) {
        proximalL1StepRange(w, g, 0, n, learningRate, threshold);
    }

    @Override
    public float sumAbs(MemorySegment x, int from, int n) {
        return sumAbsRange(x, from, from + n);
    }

    @Override
    public float sumSquares(MemorySegment x, int from, int n, float scale) {
        return sumSquaresRange(x, from, from + n, scale);
    }

    @Override
    public void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums) {
        for (int r = 0; r < rows; r++) {
            sums[r] = sumSquaresRange(x, from + r * cols, from + (r + 1) * cols, 1f);
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
