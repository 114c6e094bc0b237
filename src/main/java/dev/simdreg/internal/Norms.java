package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Sums of squares without spurious overflow or underflow, and the scaling that projections apply. The
 * fast kernel squares in float; when its sum is infinite, NaN or so small that squares may have lost
 * bits to underflow, a second pass scales the input by a power of two (exactly) so that the largest
 * magnitude lies in [1, 4).
 */
public final class Norms {

    /** Below this, squares of about 2^-75 or less may have flushed; their loss is at most n * 2^-149 absolute. */
    private static final float SMALLEST_TRUSTED_SUM = 0x1p-70f;

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
        return sumOfSquares(kernels, x, from, n, kernels.sumSquares(x, from, n, 1f));
    }

    /**
     * {@link #sumOfSquares(PenaltyKernels, MemorySegment, int, int)} given the float sum the kernels took,
     * {@code fast}: that sum where it can be trusted.
     */
    public static double sumOfSquares(PenaltyKernels kernels, MemorySegment x, int from, int n, float fast) {
        if (trusted(fast)) {
            return fast;
        }
        float max = kernels.maxAbs(x, from, n);
        if (max == 0 || !(max < Float.POSITIVE_INFINITY)) {
            return max; // all zero, or an infinity, or a NaN that wins over it
        }
        // getExponent is -127 for subnormals; clamping to +-126 keeps the scale a normal float.
        int shift = Math.clamp(-Math.getExponent(max), -126, 126);
        double scaled = kernels.sumSquares(x, from, n, Math.scalb(1f, shift));
        return Math.scalb(scaled, -2 * shift);
    }

    /** Whether the float sum of squares the kernels took is {@link #sumOfSquares}' result as it is. */
    public static boolean trusted(float fast) {
        return fast >= SMALLEST_TRUSTED_SUM && fast <= Float.MAX_VALUE;
    }

    /** {@code x[i] *= factor} over all of x. */
    public static void scale(PenaltyKernels kernels, MemorySegment x, float factor) {
        scale(kernels, x, 0, x.byteSize() / Float.BYTES, factor);
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
