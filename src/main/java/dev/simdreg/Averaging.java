package dev.simdreg;

import dev.simdreg.internal.AveragingKernels;
import dev.simdreg.internal.Check;
import dev.simdreg.internal.Chunks;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.Providers;

import java.lang.foreign.MemorySegment;

/**
 * Polyak averaging of iterates (Polyak and Juditsky 1992; DL book 8.7.3): the linear average
 * {@code (1/t) Σ θ(s)} and the exponential running average. The average belongs to the caller and is
 * updated in place; θ must not overlap it. Arguments are checked before anything is written.
 */
public final class Averaging {

    private Averaging() {
    }

    private static AveragingKernels kernels() {
        return Providers.kernels().averaging();
    }

    /**
     * Adds iterate t to the linear average: {@code avg ← avg + (θ − avg)/t}. For t = 1 avg becomes an
     * exact copy of θ, so avg's previous content is never read. The division is a multiplication by
     * {@code 1/t} rounded to float once per call (a per-element division held the kernel to 77% of
     * memory bandwidth in cache, measured), fused with the addition: each element carries at most three
     * roundings (the difference, 1/t, the fused multiply-add).
     *
     * @param avg   the average of iterates 1 … t−1, updated in place
     * @param theta iterate t
     * @param t     the 1-based iterate number
     */
    public static void linearAverage(float[] avg, float[] theta, long t) {
        linearAverage(Check.array(avg, "avg"), Check.array(theta, "theta"), t);
    }

    /** The linear average on segments; see {@link #linearAverage(float[], float[], long)}. */
    public static void linearAverage(MemorySegment avg, MemorySegment theta, long t) {
        linearAverage(avg, "avg", theta, "theta", t, "t");
    }

    /** The linear average with its arguments named as the caller's signature names them. */
    static void linearAverage(MemorySegment avg, String avgName, MemorySegment theta, String thetaName, long t,
                              String tName) {
        long n = checkPair(avg, avgName, theta, thetaName);
        Check.step(t, tName);
        if (t == 1) {
            MemorySegment.copy(theta, 0, avg, 0, n * Float.BYTES);
        } else {
            float weight = (float) (1.0 / t);
            Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(avg, theta),
                    (origin, from, length) -> kernels().linearAverage(Chunks.at(avg, origin), Chunks.at(theta, origin),
                            from, length, weight));
        }
    }

    /**
     * The exponential running average {@code avg ← α·avg + (1 − α)·θ} (α is the lecture's time constant;
     * PyTorch's EMA keeps α as its {@code decay}). Computed as one fused multiply-add of {@code α·avg}
     * onto {@code (1 − α)·θ}.
     *
     * @param avg   the running average, updated in place
     * @param theta the new iterate
     * @param alpha the weight of the old average, in [0, 1]
     */
    public static void exponentialAverage(float[] avg, float[] theta, float alpha) {
        exponentialAverage(Check.array(avg, "avg"), Check.array(theta, "theta"), alpha);
    }

    /** The exponential average on segments; see {@link #exponentialAverage(float[], float[], float)}. */
    public static void exponentialAverage(MemorySegment avg, MemorySegment theta, float alpha) {
        long n = checkPair(avg, "avg", theta, "theta");
        Check.fraction(alpha, "alpha");
        Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(avg, theta),
                (origin, from, length) -> kernels().exponentialAverage(Chunks.at(avg, origin),
                        Chunks.at(theta, origin), from, length, alpha));
    }

    private static long checkPair(MemorySegment avg, String avgName, MemorySegment theta, String thetaName) {
        long n = Check.output(avg, avgName);
        Check.sameSize(avgName, n, thetaName, Check.floats(theta, thetaName));
        Check.disjoint(avg, avgName, theta, thetaName);
        return n;
    }
}
