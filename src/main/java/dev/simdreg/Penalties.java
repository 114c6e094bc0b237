package dev.simdreg;

import dev.simdreg.internal.Check;
import dev.simdreg.internal.Chunks;
import dev.simdreg.internal.Norms;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.PenaltyKernels;
import dev.simdreg.internal.Providers;

import java.lang.foreign.MemorySegment;

/**
 * Norm penalties: the L1 proximal operator (soft-thresholding), the fused proximal L1 step, and the
 * L1 and L2 norms.
 *
 * <p>Every method has a {@code float[]} form and a {@link MemorySegment} form (float32 in native byte
 * order, any alignment; 64-byte aligned native segments are fastest). Arguments are checked before
 * anything is written: {@link NullPointerException} for a null buffer, {@link IllegalArgumentException}
 * naming the argument for sizes, hyperparameters, read-only outputs and overlapping buffers.
 */
public final class Penalties {

    private Penalties() {
    }

    private static PenaltyKernels kernels() {
        return Providers.kernels().penalties();
    }

    /**
     * Soft-thresholding, the proximal operator of {@code threshold * ||x||_1}:
     * {@code out[i] = sign(x[i]) * max(|x[i]| - threshold, 0)}: NaN stays NaN, infinities stay infinite,
     * and a zero result keeps the sign of {@code x[i]}. Exact (one rounding of {@code |x| - threshold}).
     * PyTorch's {@code softshrink}, checked against PyTorch 1.13 (Debian's python3-torch): the same bits
     * outside the dead zone; inside it 1.13 returns +0.0 for every x, where this returns −0.0 for a
     * negative x (equal under {@code ==}), and 1.13 turns NaN into 0, where this keeps it NaN.
     *
     * @param x         the input
     * @param threshold {@code >= 0} and finite
     * @param out       the output, the same length as x; may be x itself (in place), must not partially overlap it
     */
    public static void softThreshold(float[] x, float threshold, float[] out) {
        softThreshold(Check.array(x, "x"), threshold, Check.array(out, "out"));
    }

    /** Soft-thresholding of a segment; see {@link #softThreshold(float[], float, float[])}. */
    public static void softThreshold(MemorySegment x, float threshold, MemorySegment out) {
        long n = Check.floats(x, "x");
        Check.sameSize("x", n, "out", Check.output(out, "out"));
        Check.sameOrDisjoint(out, "out", x, "x");
        Check.nonNegative(threshold, "threshold");
        Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(x, out),
                (origin, from, length) -> kernels().softThreshold(Chunks.at(x, origin), Chunks.at(out, origin), from,
                        length, threshold));
    }

    /**
     * One proximal gradient step for an L1 penalty {@code l1 * ||w||_1}, fused in one pass:
     * {@code w[i] = softThreshold(w[i] - learningRate * grad[i], learningRate * l1)} (the threshold is
     * rounded to float once). The inner step is one fused multiply-add, so each element is rounded
     * twice.
     *
     * @param w            the weights, updated in place
     * @param grad         the gradient of the smooth loss, the same length as w, not overlapping it
     * @param learningRate {@code >= 0} and finite
     * @param l1           the penalty strength, {@code >= 0} and finite
     */
    public static void proximalL1Step(float[] w, float[] grad, float learningRate, float l1) {
        proximalL1Step(Check.array(w, "w"), Check.array(grad, "grad"), learningRate, l1);
    }

    /** The proximal L1 step on segments; see {@link #proximalL1Step(float[], float[], float, float)}. */
    public static void proximalL1Step(MemorySegment w, MemorySegment grad, float learningRate, float l1) {
        long n = Check.output(w, "w");
        Check.sameSize("w", n, "grad", Check.floats(grad, "grad"));
        Check.disjoint(w, "w", grad, "grad");
        Check.nonNegative(learningRate, "learningRate");
        Check.nonNegative(l1, "l1");
        float threshold = Check.nonNegative(learningRate * l1, "learningRate * l1");
        Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(w, grad),
                (origin, from, length) -> kernels().proximalL1Step(Chunks.at(w, origin), Chunks.at(grad, origin), from,
                        length, learningRate, threshold));
    }

    /**
     * {@code sum |x[i]|}, accumulated in float over many independent partial sums: relative error within
     * about {@code sqrt(n) * 2^-24}. NaN if any element is NaN; infinite only if the sum exceeds the float
     * range. 0 for an empty x.
     */
    public static float l1Norm(float[] x) {
        return l1Norm(Check.array(x, "x"));
    }

    /** The L1 norm of a segment; see {@link #l1Norm(float[])}. */
    public static float l1Norm(MemorySegment x) {
        long n = Check.floats(x, "x");
        double sum = 0;
        for (long base = 0; base < n; base += Chunks.MAX) {
            int length = Chunks.length(n, base);
            sum += Norms.blockSum(kernels(), Chunks.of(x, base, length), 0, length, false, 1f);
        }
        return (float) sum;
    }

    /**
     * {@code sum x[i]^2}, the L2 penalty without its factor 1/2. Relative error within about
     * {@code sqrt(n) * 2^-24}; no spurious overflow or underflow: squares of tiny or huge elements are
     * rescaled exactly by a power of two before summing, so the result is infinite or zero only when the
     * true sum is beyond the float range. NaN if any element is NaN.
     */
    public static float sumOfSquares(float[] x) {
        return sumOfSquares(Check.array(x, "x"));
    }

    /** The sum of squares of a segment; see {@link #sumOfSquares(float[])}. */
    public static float sumOfSquares(MemorySegment x) {
        Check.floats(x, "x");
        return (float) Norms.sumOfSquares(kernels(), x);
    }

    /**
     * The Euclidean norm {@code sqrt(sum x[i]^2)}, with the guarantees of {@link #sumOfSquares(float[])}:
     * finite and accurate for every finite input, including elements near {@code Float.MAX_VALUE} and
     * subnormal ones.
     */
    public static float l2Norm(float[] x) {
        return l2Norm(Check.array(x, "x"));
    }

    /** The Euclidean norm of a segment; see {@link #l2Norm(float[])}. */
    public static float l2Norm(MemorySegment x) {
        Check.floats(x, "x");
        return (float) Math.sqrt(Norms.sumOfSquares(kernels(), x));
    }
}
