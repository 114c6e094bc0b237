package dev.simdreg;

import dev.simdreg.internal.Check;
import dev.simdreg.internal.Floats;
import dev.simdreg.internal.Providers;
import dev.simdreg.internal.Streams;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Noise injection (DL book 7.5): Gaussian noise on inputs or weights, and label smoothing of the
 * targets. Arguments are checked before anything is written.
 */
public final class Noise {

    private Noise() {
    }

    /**
     * {@code out[i] = x[i] + sigma·z[i]}, one fused multiply-add, with z the standard normals of
     * {@link RandomStreams#normal} at elements {@code offset + i} of the stream of seed.
     *
     * @param sigma {@code >= 0} and finite
     * @param out   x's length; may be x (in place), must not partially overlap it
     */
    public static void addGaussian(long seed, long offset, float sigma, float[] x, float[] out) {
        addGaussian(seed, offset, sigma, Check.array(x, "x"), Check.array(out, "out"));
    }

    /** Gaussian noise on segments; see {@link #addGaussian(long, long, float, float[], float[])}. */
    public static void addGaussian(long seed, long offset, float sigma, MemorySegment x, MemorySegment out) {
        long n = Check.floats(x, "x");
        Check.sameSize("x", n, "out", Check.output(out, "out"));
        Check.sameOrDisjoint(out, "out", x, "x");
        Check.nonNegative(sigma, "sigma");
        Check.streamOffset(offset, n);
        Streams.normal(Providers.kernels(), seed, offset, x, sigma, out, n);
    }

    /**
     * Label smoothing (Szegedy et al. 2016): row r of the row-major {@code [N, K]} out is
     * {@code (1 − ε)·onehot(classes[r]) + ε/K}: {@code ε/K} everywhere and {@code (1 − ε) + ε/K} at the
     * class, each rounded to float once.
     *
     * @param classes    N class indices, each in [0, K)
     * @param numClasses K, {@code >= 1}
     * @param epsilon    ε in [0, 1]
     * @param out        N·K floats
     */
    public static void labelSmoothing(int[] classes, int numClasses, float epsilon, float[] out) {
        labelSmoothing(classes, numClasses, epsilon, Check.array(out, "out"));
    }

    /** Label smoothing into a segment; see {@link #labelSmoothing(int[], int, float, float[])}. */
    public static void labelSmoothing(int[] classes, int numClasses, float epsilon, MemorySegment out) {
        Objects.requireNonNull(classes, "classes");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses = " + numClasses + " must be >= 1");
        }
        long n = Check.output(out, "out");
        if (n != (long) classes.length * numClasses) {
            throw new IllegalArgumentException("out has " + n + " elements but classes.length·numClasses = "
                    + classes.length + "·" + numClasses + " = " + (long) classes.length * numClasses);
        }
        Check.fraction(epsilon, "epsilon");
        for (int r = 0; r < classes.length; r++) {
            if (classes[r] < 0 || classes[r] >= numClasses) {
                throw new IllegalArgumentException("classes[" + r + "] = " + classes[r] + " must lie in [0, "
                        + numClasses + ")");
            }
        }
        float off = (float) ((double) epsilon / numClasses);
        float on = (float) (1.0 - epsilon + (double) epsilon / numClasses);
        for (int r = 0; r < classes.length; r++) {
            long row = (long) r * numClasses;
            for (int k = 0; k < numClasses; k++) {
                Floats.set(out, row + k, k == classes[r] ? on : off);
            }
        }
    }
}
