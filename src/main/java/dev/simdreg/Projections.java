package dev.simdreg;

import dev.simdreg.internal.Check;
import dev.simdreg.internal.Norms;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.PenaltyKernels;
import dev.simdreg.internal.Providers;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Norm constraints: projection onto an L2 ball, per-unit max-norm of a weight matrix's rows, and
 * clipping of gradients by their global norm.
 *
 * <p>Norms are computed as in {@link Penalties#l2Norm(float[])}: no spurious overflow or underflow.
 * A buffer is scaled only when its norm exceeds the limit, by exactly {@code limit / norm} (rounded to
 * float once), so a buffer within the limit is left bit for bit as it was and projecting again does not
 * shrink it further (unlike PyTorch's {@code renorm}, which scales by {@code limit / (norm + 1e-7)}).
 */
public final class Projections {

    /**
     * maxNormRows takes the sums of squares of up to this many rows in one kernel call, then scales those
     * rows that need it while they are in cache (at most {@link #PASS_FLOATS} floats, 64 KiB, in a core's L2).
     * Against 8 rows and 32 KiB per pass, 64 rows of 1024 floats went from 1.62 to 1.53-1.57 us and
     * 64 MiB from 1.49-1.55 to 1.42-1.44 ms with the row-run loop (harness, 2026-11-25); scaling every row
     * was no slower.
     */
    private static final int ROWS_PER_PASS = 16;
    private static final long PASS_FLOATS = 16384;
    private static final ThreadLocal<float[]> ROW_SUMS = ThreadLocal.withInitial(() -> new float[ROWS_PER_PASS]);

    private Projections() {
    }

    private static PenaltyKernels kernels() {
        return Providers.kernels().penalties();
    }

    /**
     * Projects v onto the L2 ball of the given radius: {@code v *= min(1, radius / ||v||)}.
     *
     * @param v      the vector, updated in place
     * @param radius {@code > 0} and finite
     * @return {@code ||v||} before the projection
     */
    public static float projectToL2Ball(float[] v, float radius) {
        return projectToL2Ball(Check.array(v, "v"), radius);
    }

    /** Projection of a segment; see {@link #projectToL2Ball(float[], float)}. */
    public static float projectToL2Ball(MemorySegment v, float radius) {
        Check.output(v, "v");
        Check.positive(radius, "radius");
        PenaltyKernels kernels = kernels();
        double norm = Math.sqrt(Norms.sumOfSquares(kernels, v));
        if (norm > radius) {
            Norms.scale(kernels, v, (float) (radius / norm));
        }
        return (float) norm;
    }

    /**
     * Per-unit max-norm (Hinton et al. 2012; Srebro and Shraibman 2005): each row of the row-major
     * {@code [rows, cols]} matrix w, the incoming weights of one unit, is scaled to norm {@code maxNorm}
     * if its norm exceeds it. PyTorch's {@code w.renorm_(2, 0, maxNorm)} without the 1e-7. Each row is
     * read from memory once: its norm is taken and it is scaled while it is still in cache.
     *
     * @param w       the weights, {@code rows * cols} floats, updated in place
     * @param rows    the number of units, {@code >= 0}
     * @param cols    the number of inputs per unit, {@code >= 0}
     * @param maxNorm {@code > 0} and finite
     * @return the number of rows that were scaled
     */
    public static long maxNormRows(float[] w, int rows, int cols, float maxNorm) {
        return maxNormRows(Check.array(w, "w"), rows, cols, maxNorm);
    }

    /** Per-row max-norm of a segment; see {@link #maxNormRows(float[], int, int, float)}. */
    public static long maxNormRows(MemorySegment w, long rows, long cols, float maxNorm) {
        long n = Check.output(w, "w");
        if (rows < 0 || cols < 0 || cols > Integer.MAX_VALUE || (cols > 0 && rows > Long.MAX_VALUE / cols)) {
            throw new IllegalArgumentException("rows = " + rows + " and cols = " + cols
                    + " must be >= 0, cols at most " + Integer.MAX_VALUE);
        }
        if (rows * cols != n) {
            throw new IllegalArgumentException("w has " + n + " elements but rows * cols = " + rows + " * " + cols
                    + " = " + rows * cols);
        }
        Check.positive(maxNorm, "maxNorm");
        if (cols == 0) {
            return 0;
        }
        // rows split over threads: each row's norm and scaling are its own
        long rowsPerPart = Math.max(1, Parallel.ELEMENTWISE_PART / cols);
        boolean shared = Parallel.shared(w);
        if (Parallel.onePart(rows, 1, rowsPerPart, shared)) {
            return scaleRows(w, 0, rows, cols, maxNorm);
        }
        AtomicLong scaled = new AtomicLong();
        Parallel.run(rows, 1, rowsPerPart, shared,
                (from, to) -> scaled.addAndGet(scaleRows(w, from, to, cols, maxNorm)));
        return scaled.get();
    }

    /** {@link #maxNormRows} of rows {@code [firstRow, endRow)}; the number it scaled. */
    private static long scaleRows(MemorySegment w, long firstRow, long endRow, long cols, float maxNorm) {
        PenaltyKernels kernels = kernels();
        float[] sums = ROW_SUMS.get();
        int rowsPerPass = (int) Math.clamp(PASS_FLOATS / cols, 1, ROWS_PER_PASS);
        boolean intIndexed = w.byteSize() / Float.BYTES <= Integer.MAX_VALUE; // else each pass gets a slice of its own
        long scaled = 0;
        // exact in double, and the rounded square root of s exceeds maxNorm only when s exceeds this
        double limitSquared = (double) maxNorm * maxNorm;
        for (long first = firstRow; first < endRow; first += rowsPerPass) {
            int count = (int) Math.min(rowsPerPass, endRow - first);
            MemorySegment block = intIndexed ? w : w.asSlice(first * cols * Float.BYTES, count * cols * Float.BYTES);
            int base = intIndexed ? (int) (first * cols) : 0;
            kernels.rowSumsOfSquares(block, base, count, (int) cols, sums);
            for (int r = 0; r < count; r++) {
                // within the limit, no square root: 64 rows of 1024 floats in cache took 1.46-1.48 against
                // 1.53-1.55 us with one per row (harness, 2026-11-25)
                if (Norms.trusted(sums[r]) && sums[r] <= limitSquared) {
                    continue;
                }
                int from = base + r * (int) cols;
                double norm = Math.sqrt(Norms.sumOfSquares(kernels, block, from, (int) cols, sums[r]));
                if (norm > maxNorm) {
                    kernels.scale(block, from, (int) cols, (float) (maxNorm / norm));
                    scaled++;
                }
            }
        }
        return scaled;
    }

    /**
     * Clips gradients by their global norm, PyTorch's {@code clip_grad_norm_(grads, maxNorm)} with
     * {@code norm_type=2}: the total norm is the norm of all elements of all tensors; when
     * {@code maxNorm / (total + 1e-6) < 1}, every gradient is multiplied by that factor (as PyTorch, the
     * factor is also applied when the total is NaN or infinite, which makes the gradients NaN or zero;
     * use {@link #clipGradNorm(float[][], float, boolean)} to reject such gradients instead).
     *
     * @param grads   the gradients, updated in place; pairwise distinct buffers
     * @param maxNorm {@code > 0} and finite
     * @return the total norm before clipping
     */
    public static float clipGradNorm(float[][] grads, float maxNorm) {
        return clipGradNorm(grads, maxNorm, false);
    }

    /**
     * Clipping by global norm; with {@code errorIfNonfinite}, a NaN or infinite total norm throws
     * {@link ArithmeticException} before any gradient is touched (PyTorch's {@code error_if_nonfinite}).
     */
    public static float clipGradNorm(float[][] grads, float maxNorm, boolean errorIfNonfinite) {
        Objects.requireNonNull(grads, "grads");
        MemorySegment[] segments = new MemorySegment[grads.length];
        for (int i = 0; i < grads.length; i++) {
            segments[i] = Check.array(grads[i], "grads", i);
        }
        return clipGradNorm(segments, maxNorm, errorIfNonfinite);
    }

    /** Clipping of segments by global norm; see {@link #clipGradNorm(float[][], float)}. */
    public static float clipGradNorm(MemorySegment[] grads, float maxNorm) {
        return clipGradNorm(grads, maxNorm, false);
    }

    /** Clipping of segments by global norm; see {@link #clipGradNorm(float[][], float, boolean)}. */
    public static float clipGradNorm(MemorySegment[] grads, float maxNorm, boolean errorIfNonfinite) {
        Objects.requireNonNull(grads, "grads");
        for (int i = 0; i < grads.length; i++) {
            Check.output(grads[i], "grads", i);
        }
        Check.pairwiseDisjoint(grads, "grads");
        Check.positive(maxNorm, "maxNorm");
        PenaltyKernels kernels = kernels();
        double sumOfSquares = 0;
        for (MemorySegment g : grads) {
            sumOfSquares += Norms.sumOfSquares(kernels, g);
        }
        double total = Math.sqrt(sumOfSquares);
        if (errorIfNonfinite && !Double.isFinite(total)) {
            throw new ArithmeticException("the total norm of the gradients is " + total + "; nothing was clipped");
        }
        double factor = maxNorm / (total + 1e-6);
        if (!(factor >= 1)) {
            for (MemorySegment g : grads) {
                Norms.scale(kernels, g, (float) factor);
            }
        }
        return (float) total;
    }
}
