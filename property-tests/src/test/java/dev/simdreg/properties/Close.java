package dev.simdreg.properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Comparison of a float result with a float64 reference. Error bounds are stated as a number of float
 * roundings (2^-24 each, relative) of a magnitude: the sum of the absolute values of the terms the
 * reference adds, so cancellation does not make the bound meaningless.
 */
final class Close {

    static final double EPS = 0x1p-24;

    private Close() {
    }

    /** got is reference rounded to float, bit for bit (NaN for NaN, the sign of zero included). */
    static void exactly(double reference, float got, String where) {
        float expected = (float) reference;
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(got), () -> where + ": expected NaN, got " + got);
        } else {
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got),
                    () -> where + ": expected " + expected + ", got " + got);
        }
    }

    /**
     * |got − reference| ≤ roundings · 2^-24 · magnitude, plus the smallest subnormal for results that
     * underflow. NaN and infinities must match exactly; a reference beyond the float range may round to
     * the infinity of its sign.
     */
    static void within(double reference, float got, double magnitude, double roundings, String where) {
        if (Double.isNaN(reference)) {
            assertTrue(Float.isNaN(got), () -> where + ": expected NaN, got " + got);
            return;
        }
        if (Double.isInfinite(reference) || Math.abs(reference) > Float.MAX_VALUE * (1 + EPS)) {
            if (Float.isInfinite(got)) {
                assertEquals(Math.signum(reference), Math.signum(got), () -> where + ": infinity of the wrong sign");
                return;
            }
        }
        double bound = roundings * EPS * magnitude + Float.MIN_VALUE;
        double error = Math.abs(got - reference);
        if (!(error <= bound)) {
            fail(where + ": expected " + reference + ", got " + got + ", error " + error + " > bound " + bound
                    + " (" + roundings + " roundings of magnitude " + magnitude + ")");
        }
    }
}
