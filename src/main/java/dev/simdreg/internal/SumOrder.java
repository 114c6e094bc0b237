package dev.simdreg.internal;

/**
 * The one order in which the library adds floats, fixed by element position, so that a sum has the same
 * bits on every provider and vector width, on the first call and once compiled, however a call is split.
 * A vector's {@code reduceLanes(ADD)} has no such order: the interpreter and C2 add its lanes differently.
 * <p>
 * A sum runs over blocks (each family fixes its block length by position); within a block its terms go in
 * groups of {@link #GROUP} consecutive positions, a short last group padded with zero terms. A group's terms
 * {@code t[0..64)} fold into sixteen, {@code u[j] = (t[j] + t[j+16]) + (t[j+32] + t[j+48])}, or for a sum of
 * products {@code u[j] = fma(a[j], b[j], a[j+16]·b[j+16]) + fma(a[j+32], b[j+32], a[j+48]·b[j+48])}, and
 * {@code u[j]} is added to partial j, group after group. The block's sum is {@link #total} of the sixteen
 * partials; blocks are added in double, in order. A 512-bit vector holds the sixteen partials in one register
 * and folds a group with four loads; narrower ones take a pass over the block per register of partials.
 */
public final class SumOrder {

    /** Consecutive positions folded into the partials at once. */
    public static final int GROUP = 64;
    /** Partial sums of a block, one per position modulo 16 of its groups' folded terms. */
    public static final int PARTIALS = 16;

    private static final ThreadLocal<float[]> PARTIALS_SCRATCH = ThreadLocal.withInitial(() -> new float[2 * PARTIALS]);

    private SumOrder() {
    }

    /** This thread's room for two sets of partials, {@code [0, 16)} and {@code [16, 32)}; contents undefined. */
    public static float[] scratch() {
        return PARTIALS_SCRATCH.get();
    }

    /** Four terms t[j], t[j+16], t[j+32], t[j+48] of a group folded into one. */
    public static float fold(float t0, float t1, float t2, float t3) {
        return (t0 + t1) + (t2 + t3);
    }

    /** Four products a·b of a group folded into one. */
    public static float foldProducts(float a0, float b0, float a1, float b1, float a2, float b2, float a3, float b3) {
        return Math.fma(a0, b0, a1 * b1) + Math.fma(a2, b2, a3 * b3);
    }

    /**
     * The sum of the partials {@code p[offset .. offset + 16)} by halves: {@code p[j] += p[j + 8]} for j below 8,
     * then 4, 2 and 1; overwrites them.
     */
    public static float total(float[] p, int offset) {
        for (int half = PARTIALS / 2; half > 0; half /= 2) {
            for (int j = offset; j < offset + half; j++) {
                p[j] += p[j + half];
            }
        }
        return p[offset];
    }

    /** The end of the whole groups of {@code [from, to)}. */
    public static long wholeGroupsEnd(long from, long to) {
        return from + (to - from) / GROUP * GROUP;
    }
}
