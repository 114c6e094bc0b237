package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.Floats.get;

/**
 * The order of every float sum of the norms, fixed by element position so that it gives the same bits on
 * every provider and vector width, before and after JIT compilation, and however a call is chunked (the idea
 * of MKL's conditional numerical reproducibility). A sum runs over blocks of {@link #BLOCK} floats from its
 * start; within a block, element i goes into partial {@code i mod 64}, each partial adds its elements in
 * order (a square by one fused multiply-add), and the 64 partials are combined by a fixed tree: partial p
 * takes p + 32, then p + 16, p + 8, p + 4, p + 2 and p + 1. The blocks' sums are added in double, in order.
 * 64 partials are four registers at 512 bits, eight at 256 and sixteen at 128: enough independent chains
 * to hide the adds' latency at every width.
 */
public final class PartialSums {

    /** Partial sums per block. */
    public static final int PARTIALS = 64;
    /** Floats per block: 64 KiB, each partial adding at most 256 terms in float. */
    public static final int BLOCK = 1 << 14;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[PARTIALS]);

    private PartialSums() {
    }

    /** This thread's 64 partials, cleared. */
    public static float[] cleared() {
        float[] partials = SCRATCH.get();
        Arrays.fill(partials, 0f);
        return partials;
    }

    /**
     * Adds {@code |x[i]|} for i in {@code [from, to)} into the partials of the block that starts at float
     * start, each to partial {@code (i − start) mod 64}, then combines them.
     */
    public static float finishAbs(float[] partials, MemorySegment x, long start, long from, long to) {
        for (long i = from; i < to; i++) {
            int p = (int) (i - start) & (PARTIALS - 1);
            partials[p] += Math.abs(get(x, i));
        }
        return combine(partials);
    }

    /** As {@link #finishAbs} for the squares {@code (scale·x[i])²}, each added by one fused multiply-add. */
    public static float finishSquares(float[] partials, MemorySegment x, long start, long from, long to,
                                      float scale) {
        for (long i = from; i < to; i++) {
            int p = (int) (i - start) & (PARTIALS - 1);
            float v = scale == 1f ? get(x, i) : get(x, i) * scale;
            partials[p] = Math.fma(v, v, partials[p]);
        }
        return combine(partials);
    }

    /** The fixed tree over the 64 partials. */
    static float combine(float[] partials) {
        for (int half = PARTIALS / 2; half > 0; half /= 2) {
            for (int p = 0; p < half; p++) {
                partials[p] += partials[p + half];
            }
        }
        return partials[0];
    }

    /** Σ|x| over {@code [from, from + n)}, block by block in this order. */
    public static double sumAbs(MemorySegment x, long from, long n) {
        double total = 0;
        for (long block = from, end = from + n; block < end; block += BLOCK) {
            total += finishAbs(cleared(), x, block, block, Math.min(end, block + BLOCK));
        }
        return total;
    }

    /** Σ(scale·x)² over {@code [from, from + n)}, block by block in this order. */
    public static double sumSquares(MemorySegment x, long from, long n, float scale) {
        double total = 0;
        for (long block = from, end = from + n; block < end; block += BLOCK) {
            total += finishSquares(cleared(), x, block, block, Math.min(end, block + BLOCK), scale);
        }
        return total;
    }
}
