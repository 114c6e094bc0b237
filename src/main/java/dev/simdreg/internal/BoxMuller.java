package dev.simdreg.internal;

/**
 * The Box–Muller transform in float, from basic operations only (+, ×, ÷, fused multiply-add, sqrt and
 * bit manipulation), each correctly rounded: so the vector kernels, which use the same operations in
 * the same order, give the same bits at every width. Math.log and the Vector API's LOG/SIN/COS are not
 * specified to the bit and differ between them.
 *
 * <p>The radius uses {@code 1 − u} with u the word's 24-bit uniform, so it lies in (0, 1] and the largest
 * |z| is {@code sqrt(2·24·ln 2) ≈ 5.77}, as with PyTorch's CPU {@code normal_} on float tensors.
 */
public final class BoxMuller {

    public static final float UNIT = 0x1p-24f;
    public static final float LN2 = 0.6931472f;
    public static final float SQRT2 = 1.4142135f;
    private static final int SQRT2_BITS = Float.floatToRawIntBits(SQRT2);
    /** atanh series: ln((1 + s)/(1 − s)) = 2s + (2/3)s³ + (2/5)s⁵ + (2/7)s⁷ + (2/9)s⁹ + …, |s| ≤ 0.172. */
    public static final float L3 = 2f / 3, L5 = 2f / 5, L7 = 2f / 7, L9 = 2f / 9;
    /** Radians per unit of the 22-bit fraction of a quarter turn. */
    public static final float QUARTER_STEP = (float) (Math.PI / 2 / (1 << 22));
    /** Taylor coefficients of sin and cos on [−π/4, π/4]; the first omitted terms are below 2e-9. */
    public static final float S3 = -1f / 6, S5 = 1f / 120, S7 = -1f / 5040, S9 = 1f / 362880;
    public static final float C2 = -0.5f, C4 = 1f / 24, C6 = -1f / 720, C8 = 1f / 40320, C10 = -1f / 3628800;

    private BoxMuller() {
    }

    /** {@code sqrt(−2 ln(1 − u))} for the word's uniform u. */
    public static float radius(int word) {
        float v = 1f - (word >>> 8) * UNIT;
        int bits = Float.floatToRawIntBits(v);
        int exponent = (bits >>> 23) - 127;
        // m in [1, 2), halved above √2, without a branch: random words mispredict it every other time
        int mantissa = (bits & 0x7F_FFFF) | 0x3F80_0000;
        int high = (SQRT2_BITS - mantissa) >>> 31;
        float m = Float.intBitsToFloat(mantissa - (high << 23));
        exponent += high;
        float f = m - 1f;
        float s = f / (2f + f);
        float z = s * s;
        float series = Math.fma(z, Math.fma(z, Math.fma(z, L9, L7), L5), L3);
        float log = Math.fma(exponent, LN2, Math.fma(s * z, series, 2f * s));
        return (float) Math.sqrt(-2f * log);
    }

    /** The quarter turn nearest to the word's angle {@code 2π·u}: 0 … 4. */
    public static int quadrant(int word) {
        return ((word >>> 8) + (1 << 21)) >>> 22;
    }

    /** The angle minus its quadrant's, in radians, in [−π/4, π/4). */
    public static float remainder(int word, int quadrant) {
        return ((word >>> 8) - (quadrant << 22)) * QUARTER_STEP;
    }

    public static float sin(float a) {
        float z = a * a;
        return Math.fma(a * z, Math.fma(z, Math.fma(z, Math.fma(z, S9, S7), S5), S3), a);
    }

    public static float cos(float a) {
        float z = a * a;
        return Math.fma(z, Math.fma(z, Math.fma(z, Math.fma(z, Math.fma(z, C10, C8), C6), C4), C2), 1f);
    }

    /** cos θ from the remainder's sine and cosine: the cosine or ± the sine as the quadrant says. */
    public static float cosine(int quadrant, float sin, float cos) {
        return signedChoice(quadrant, cos, sin, ((quadrant + 1) & 2) << 30);
    }

    public static float sine(int quadrant, float sin, float cos) {
        return signedChoice(quadrant, sin, cos, (quadrant & 2) << 30);
    }

    /** even for an even quadrant, else odd, its sign bit flipped by signBit; bitwise, without a branch. */
    private static float signedChoice(int quadrant, float even, float odd, int signBit) {
        int pickOdd = -(quadrant & 1);
        int bits = Float.floatToRawIntBits(even) & ~pickOdd | Float.floatToRawIntBits(odd) & pickOdd;
        return Float.intBitsToFloat(bits ^ signBit);
    }
}
