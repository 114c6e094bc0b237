package dev.simdreg.internal;

/**
 * The one order in which the library adds floats, fixed by element position, so that a sum has the same
 * bits on every provider and vector width, on the first call and once compiled, however a call is split.
 * A vector's lane reduction by addition has no such order: the interpreter and C2 add its lanes differently.
 * <p>
 * A sum runs over blocks (each family fixes its block length by position); within a block its terms go in
 * groups of {@link #GROUP} consecutive positions, a short last group padded with zero terms. Each half of a
 * group, {@code t[0..64)}, folds into sixteen, {@code u[j] = (t[j] + t[j+16]) + (t[j+32] + t[j+48])}, or for a
 * sum of products {@code u[j] = fma(a[j], b[j], a[j+16]·b[j+16]) + fma(a[j+32], b[j+32], a[j+48]·b[j+48])};
 * the first half's {@code u[j]} is added to partial j, the second's to partial 16 + j, group after group. The
 * block's sum is {@link #total} of the 32 partials; blocks are added in double, in order. At 512 bits the
 * partials are two registers, two chains of adds each waiting for an add once per four loads: one chain, of
 * groups of 64, left l1Norm at 0.86-0.93 of four independent accumulators, latency-bound, and one chain of
 * groups of 128 folded from eight loads at 0.61-0.70 (JMH). Narrower vectors take a pass over the block per
 * register of partials.
 * <p>
 * Sums of squares of the norms (and of what uses them: projections, clipping, max-norm) take a rule of their
 * own within a block: the square of the term at block offset k goes to partial {@code k mod 64} by an fma, in
 * order, and the block's sum is {@link #totalOfSquares} of the 64 partials. The fold takes six operations for four
 * registers of squares, {@code fma(a0, a0, a1·a1) + fma(a2, a2, a3·a3)} and the add to a partial, where this takes
 * four: on 256 KiB at 512 bits the fold ran l2Norm at 0.76-0.83 of the speed of four accumulators summed by
 * {@code reduceLanes}, this at 0.96 (1.88 -> 1.57 µs; at 256 bits 3.09 -> 2.15, at 128 5.29 -> 4.17; JMH, an Intel
 * Xeon).
 */
public final class SumOrder {

    /** Consecutive positions folded into the partials at once. */
    public static final int GROUP = 128;
    /** Half a group: its terms j, j + 16, j + 32 and j + 48 fold together. */
    public static final int HALF = GROUP / 2;
    /** Partial sums of a block: 16 per half of a group. */
    public static final int PARTIALS = 32;
    /** Partial sums of a block of squares: the term at block offset k to partial {@code k mod 64}. */
    public static final int SQUARE_PARTIALS = 64;

    /** Where {@link #scratch} keeps two half groups' terms, {@code [TERMS, TERMS + 64)} and the next 64. */
    public static final int TERMS = 2 * PARTIALS;

    private static final ThreadLocal<float[]> PARTIALS_SCRATCH =
            ThreadLocal.withInitial(() -> new float[TERMS + 2 * HALF]);

    private SumOrder() {
    }

    /**
     * This thread's room for two sums' partials, {@code [0, 32)} and {@code [32, 64)}, and two half groups'
     * terms from {@link #TERMS}; contents undefined.
     */
    public static float[] scratch() {
        return PARTIALS_SCRATCH.get();
    }

    /** The four terms t[j], t[j+16], t[j+32], t[j+48] of a half group folded into one. */
    public static float fold(float t0, float t1, float t2, float t3) {
        return (t0 + t1) + (t2 + t3);
    }

    /** {@link #fold} of the products a·b, each pair of them as {@code fma(a0, b0, a1·b1)}. */
    public static float foldProducts(float a0, float b0, float a1, float b1, float a2, float b2, float a3, float b3) {
        return Math.fma(a0, b0, a1 * b1) + Math.fma(a2, b2, a3 * b3);
    }

    /** Adds the folded terms {@code p[terms .. terms + 64)}, a half group's, to the partials {@code p[partial .. partial + 16)}. */
    public static void addFolded(float[] p, int partial, int terms) {
        for (int j = 0; j < PARTIALS / 2; j++) {
            p[partial + j] += fold(p[terms + j], p[terms + j + 16], p[terms + j + 32], p[terms + j + 48]);
        }
    }

    /** {@link #addFolded} of the products of the terms from a and from b. */
    public static void addFoldedProducts(float[] p, int partial, int a, int b) {
        for (int j = 0; j < PARTIALS / 2; j++) {
            p[partial + j] += foldProducts(p[a + j], p[b + j], p[a + j + 16], p[b + j + 16], p[a + j + 32],
                    p[b + j + 32], p[a + j + 48], p[b + j + 48]);
        }
    }

    /**
     * The sum of the partials {@code p[offset .. offset + 32)}: the two halves' partials added lane by lane,
     * {@code p[j] + p[j + 16]}, then by halves, {@code p[j] += p[j + 8]} for j below 8, then 4, 2 and 1;
     * overwrites them.
     */
    public static float total(float[] p, int offset) {
        for (int half = PARTIALS / 2; half > 0; half /= 2) {
            for (int j = offset; j < offset + half; j++) {
                p[j] += p[j + half];
            }
        }
        return p[offset];
    }

    /**
     * The sum of the square partials {@code p[offset .. offset + 64)}: {@code p[j] += p[j + half]} for j below half,
     * half from 32 down to 1; overwrites them.
     */
    public static float totalOfSquares(float[] p, int offset) {
        for (int half = SQUARE_PARTIALS / 2; half > 0; half /= 2) {
            for (int j = offset; j < offset + half; j++) {
                p[j] += p[j + half];
            }
        }
        return p[offset];
    }

    /** The end of the whole half groups of {@code [from, to)}. */
    public static long wholeHalvesEnd(long from, long to) {
        return from + (to - from) / HALF * HALF;
    }

    /** The partials, 0 or 16, of the half group at position h of a block from blockStart. */
    public static int partialsOfHalf(long blockStart, long h) {
        return (int) ((h - blockStart) / HALF % 2) * (PARTIALS / 2);
    }
}
