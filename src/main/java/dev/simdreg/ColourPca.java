package dev.simdreg;

import dev.simdreg.internal.Check;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The principal components of RGB pixel values (Krizhevsky, Sutskever and Hinton 2012, section 4.1), for
 * {@link Images#pcaColourNoise}: the eigenvalues {@code λ_0 ≥ λ_1 ≥ λ_2} of the 3×3 covariance of the channels
 * over a sample of pixels, and unit eigenvectors {@code p_i}, so that {@code Σ_i λ_i·p_i·p_iᵀ} is the
 * covariance. The covariance is accumulated in double (two passes: means, then centred products) and
 * decomposed by cyclic Jacobi rotations to double precision.
 *
 * @param eigenvalues  {@code λ_0, λ_1, λ_2}, descending, each {@code >= 0}
 * @param eigenvectors row-major 3×3, column i is {@code p_i} (unit length, the columns orthogonal)
 */
public record ColourPca(double[] eigenvalues, double[] eigenvectors) {

    private static final int MAX_SWEEPS = 64;
    /** How far from 1 a given eigenvector's length may be: float data decomposed in double is well within it. */
    private static final double UNIT_TOLERANCE = 1e-6;

    public ColourPca {
        Objects.requireNonNull(eigenvalues, "eigenvalues");
        Objects.requireNonNull(eigenvectors, "eigenvectors");
        if (eigenvalues.length != 3 || eigenvectors.length != 9) {
            throw new IllegalArgumentException("eigenvalues has " + eigenvalues.length + " values and eigenvectors "
                    + eigenvectors.length + "; a colour PCA has 3 and 9");
        }
        for (int k = 0; k < 3; k++) {
            if (!(eigenvalues[k] >= 0 && eigenvalues[k] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("eigenvalues[" + k + "] = " + eigenvalues[k]
                        + " must be finite and >= 0 (a covariance's)");
            }
            double norm = Math.sqrt(eigenvectors[k] * eigenvectors[k] + eigenvectors[3 + k] * eigenvectors[3 + k]
                    + eigenvectors[6 + k] * eigenvectors[6 + k]);
            if (!(Math.abs(norm - 1) <= UNIT_TOLERANCE)) {
                throw new IllegalArgumentException("eigenvectors column " + k + " has length " + norm
                        + "; each eigenvector must have length 1");
            }
        }
        eigenvalues = eigenvalues.clone();
        eigenvectors = eigenvectors.clone();
    }

    /** The colour PCA of every pixel of the images in x; see {@link #of(ImageShape, MemorySegment)}. */
    public static ColourPca of(ImageShape shape, float[] x) {
        return of(shape, Check.array(x, "x"));
    }

    /**
     * The colour PCA of every pixel of the images in x, a sample of the training set.
     *
     * @param shape three channels (RGB)
     */
    public static ColourPca of(ImageShape shape, MemorySegment x) {
        Objects.requireNonNull(shape, "shape");
        if (shape.channels() != 3) {
            throw new IllegalArgumentException("shape " + shape + " has " + shape.channels()
                    + " channels; colour PCA takes 3 (RGB)");
        }
        Check.sameSize("shape ", shape, shape.elements(), "x", Check.floats(x, "x"));
        return decompose(covariance(shape, x));
    }

    @Override
    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    @Override
    public double[] eigenvectors() {
        return eigenvectors.clone();
    }

    /** λ_i, without the copy {@link #eigenvalues()} makes. */
    double eigenvalue(int i) {
        return eigenvalues[i];
    }

    /** Component c of p_i, without the copy {@link #eigenvectors()} makes. */
    double component(int c, int i) {
        return eigenvectors[3 * c + i];
    }

    /** Row-major 3×3 covariance of the channels (divided by the number of pixels), in two passes. */
    private static double[] covariance(ImageShape shape, MemorySegment x) {
        long pixels = shape.images() * shape.pixels();
        double[] mean = new double[3];
        for (long p = 0; p < pixels; p++) {
            for (int c = 0; c < 3; c++) {
                mean[c] += value(shape, x, p, c);
            }
        }
        for (int c = 0; c < 3; c++) {
            mean[c] /= pixels;
        }
        double[] cov = new double[9];
        double[] d = new double[3];
        for (long p = 0; p < pixels; p++) {
            for (int c = 0; c < 3; c++) {
                d[c] = value(shape, x, p, c) - mean[c];
            }
            for (int i = 0; i < 3; i++) {
                for (int j = i; j < 3; j++) {
                    cov[3 * i + j] += d[i] * d[j];
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            for (int j = i; j < 3; j++) {
                cov[3 * i + j] /= pixels;
                cov[3 * j + i] = cov[3 * i + j];
            }
        }
        return cov;
    }

    /** Channel c of pixel p of the batch (images one after another). */
    private static double value(ImageShape shape, MemorySegment x, long p, int c) {
        long image = p / shape.pixels(), within = p % shape.pixels();
        long i = shape.layout() == ImageShape.Layout.NCHW ? (image * 3 + c) * shape.pixels() + within : p * 3 + c;
        return x.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i);
    }

    /** Cyclic Jacobi on a symmetric 3×3 matrix: rotations zero each off-diagonal pair until none is left. */
    static ColourPca decompose(double[] symmetric) {
        double[] a = symmetric.clone();
        double[] v = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        for (int sweep = 0; sweep < MAX_SWEEPS && offDiagonal(a) > 0; sweep++) {
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    rotate(a, v, p, q);
                }
            }
        }
        // sort descending, clamping the tiny negative values rounding can leave on a singular covariance
        Integer[] order = {0, 1, 2};
        java.util.Arrays.sort(order, (i, j) -> Double.compare(a[4 * j], a[4 * i]));
        double[] values = new double[3], vectors = new double[9];
        for (int k = 0; k < 3; k++) {
            values[k] = Math.max(0, a[4 * order[k]]);
            for (int r = 0; r < 3; r++) {
                vectors[3 * r + k] = v[3 * r + order[k]];
            }
        }
        return new ColourPca(values, vectors);
    }

    private static double offDiagonal(double[] a) {
        return Math.abs(a[1]) + Math.abs(a[2]) + Math.abs(a[5]);
    }

    /** The Jacobi rotation in plane (p, q) that zeroes a[p][q] (Golub and Van Loan, algorithm 8.5.1). */
    private static void rotate(double[] a, double[] v, int p, int q) {
        double apq = a[3 * p + q];
        if (apq == 0) {
            return;
        }
        double tau = (a[3 * q + q] - a[3 * p + p]) / (2 * apq);
        double t = Math.signum(tau) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        if (tau == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(1 + t * t), s = t * c;
        for (int k = 0; k < 3; k++) {
            double akp = a[3 * k + p], akq = a[3 * k + q];
            a[3 * k + p] = c * akp - s * akq;
            a[3 * k + q] = s * akp + c * akq;
        }
        for (int k = 0; k < 3; k++) {
            double apk = a[3 * p + k], aqk = a[3 * q + k];
            a[3 * p + k] = c * apk - s * aqk;
            a[3 * q + k] = s * apk + c * aqk;
        }
        a[3 * p + q] = 0;
        a[3 * q + p] = 0;
        for (int k = 0; k < 3; k++) {
            double vkp = v[3 * k + p], vkq = v[3 * k + q];
            v[3 * k + p] = c * vkp - s * vkq;
            v[3 * k + q] = s * vkp + c * vkq;
        }
    }
}
