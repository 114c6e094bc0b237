package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.PenaltyKernels.SUM_BLOCK;

/**
 * Sums of squares without spurious overflow or underflow, and the scaling that projections apply. The
 * fast kernel squares in float; when its sum is infinite, NaN or so small that squares may have lost
 * bits to underflow, a second pass scales the input by a power of two (exactly) so that the largest
 * magnitude lies in [1, 4).
 */
public final class Norms {

    /** Below this, squares of about 2^-75 or less may have flushed; their loss is at most n * 2^-149 absolute. */
    private static final float SMALLEST_TRUSTED_SUM = 0x1p-70f;

    /**
     * Blocks of {@link PenaltyKernels#SUM_BLOCK} floats per part of a split sum, at least: l2Norm over 2^18
     * floats took 6.5 µs on one thread and 2.4 on two; over 2^17, in two parts of four blocks, 2.2 and 2.0, and
     * l1Norm 2.2 and 4.3 (harness).
     */
    private static final long BLOCKS_PER_PART = 8;
    private static final ThreadLocal<float[]> TOTALS = ThreadLocal.withInitial(() -> new float[0]);

    private Norms() {
    }

    /** {@code sum x[i]^2} over all of x, in double so that it neither overflows nor underflows. */
    public static double sumOfSquares(PenaltyKernels kernels, MemorySegment x) {
        long n = x.byteSize() / Float.BYTES;
        double sum = 0;
        for (long base = 0; base < n; base += Chunks.MAX) {
            int length = Chunks.length(n, base);
            sum += sumOfSquares(kernels, Chunks.of(x, base, length), 0, length);
        }
        return sum;
    }

    /** {@code sum x[i]^2} over {@code [from, from + n)}, in double so that it neither overflows nor underflows. */
    public static double sumOfSquares(PenaltyKernels kernels, MemorySegment x, int from, int n) {
        return sumOfSquares(kernels, x, from, n, blockSum(kernels, x, from, n, true, 1f));
    }

    /**
     * {@link #sumOfSquares(PenaltyKernels, MemorySegment, int, int)} given the float sum the kernels took,
     * {@code fast}: that sum where it can be trusted.
     */
    public static double sumOfSquares(PenaltyKernels kernels, MemorySegment x, int from, int n, float fast) {
        if (trusted(fast)) {
            return fast;
        }
        float max = maxAbs(kernels, x, from, n);
        if (max == 0 || !(max < Float.POSITIVE_INFINITY)) {
            return max; // all zero, or an infinity, or a NaN that wins over it
        }
        // getExponent is -127 for subnormals; clamping to +-126 keeps the scale a normal float.
        int shift = Math.clamp(-Math.getExponent(max), -126, 126);
        double scaled = blockSum(kernels, x, from, n, true, Math.scalb(1f, shift));
        return Math.scalb(scaled, -2 * shift);
    }

    /**
     * {@code Σ|x|} (squares false) or {@code Σ(scale·x)²} over {@code [from, from + n)}: the blocks'
     * {@link PenaltyKernels#blockTotal}s, split over threads, added here in float64 in order and rounded to
     * float; the same bits for any split.
     */
    public static float blockSum(PenaltyKernels kernels, MemorySegment x, int from, int n, boolean squares,
                                 float scale) {
        int blocks = blocks(n);
        // no part to hand out: through Parallel.run, l1Norm of 1024 floats took 50-53 ns, this 45-47 (JMH)
        if (blocks == 1) {
            return kernels.blockTotal(x, from, n, squares, scale);
        }
        float[] totals = totals(blocks);
        Parallel.run(blocks, 1, BLOCKS_PER_PART, Parallel.shared(x), (b0, b1) -> {
            for (int b = (int) b0; b < b1; b++) {
                int start = b * SUM_BLOCK;
                totals[b] = kernels.blockTotal(x, from + start, Math.min(SUM_BLOCK, n - start), squares, scale);
            }
        });
        double total = 0;
        for (int b = 0; b < blocks; b++) {
            total += totals[b];
        }
        return (float) total;
    }

    /** {@link PenaltyKernels#maxAbs} of {@code [from, from + n)}, split over threads as {@link #blockSum}. */
    public static float maxAbs(PenaltyKernels kernels, MemorySegment x, int from, int n) {
        int blocks = blocks(n);
        float[] maxima = totals(blocks);
        Arrays.fill(maxima, 0, blocks, 0f);
        Parallel.run(blocks, 1, BLOCKS_PER_PART, Parallel.shared(x), (b0, b1) -> {
            int start = (int) b0 * SUM_BLOCK;
            maxima[(int) b0] = kernels.maxAbs(x, from + start, (int) Math.min(n, b1 * SUM_BLOCK) - start);
        });
        float max = 0;
        for (int b = 0; b < blocks; b++) {
            if (Float.isNaN(maxima[b])) {
                return Float.NaN;
            }
            max = Math.max(max, maxima[b]);
        }
        return max;
    }

    private static int blocks(int n) {
        return (n + SUM_BLOCK - 1) / SUM_BLOCK;
    }

    /** This thread's room for the totals of blocks blocks. */
    private static float[] totals(int blocks) {
        float[] totals = TOTALS.get();
        if (totals.length < blocks) {
            totals = new float[blocks];
            TOTALS.set(totals);
        }
        return totals;
    }

    /** Whether the float sum of squares the kernels took is {@link #sumOfSquares}' result as it is. */
    public static boolean trusted(float fast) {
        return fast >= SMALLEST_TRUSTED_SUM && fast <= Float.MAX_VALUE;
    }

    /** {@code x[i] *= factor} over all of x, split over threads as an element-wise call. */
    public static void scale(PenaltyKernels kernels, MemorySegment x, float factor) {
        Parallel.run(x.byteSize() / Float.BYTES, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(x),
                (from, to) -> scale(kernels, x, from, to - from, factor));
    }

    /** {@code x[i] *= factor} over {@code [from, from + n)}, a slice of x only where int offsets cannot reach. */
    public static void scale(PenaltyKernels kernels, MemorySegment x, long from, long n, float factor) {
        if (from + n <= Integer.MAX_VALUE) {
            kernels.scale(x, (int) from, (int) n, factor);
            return;
        }
        for (long base = 0; base < n; base += Chunks.MAX) {
            int length = Chunks.length(n, base);
            kernels.scale(Chunks.of(x.asSlice(from * Float.BYTES), base, length), 0, length, factor);
        }
    }
}
