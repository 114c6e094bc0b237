package dev.simdreg.internal;

/**
 * Per-element coefficients that repeat with a row's units (dropout's keep probability per unit, an image's
 * channels): element i of a call takes entry {@code (phase + i) mod period} of a table. The period is the
 * smallest multiple of the units of at least {@link #MIN} floats, the widest register, so that a register
 * reads its lanes from one place; a table holds {@link #EXTRA} entries past the period for a register that
 * starts near its end.
 */
public final class Periodic {

    /** The lanes of the widest register. */
    public static final int MIN = 16;
    /** Entries a table holds past its period. */
    public static final int EXTRA = 64;

    private Periodic() {
    }

    /** The period for rows of units: the smallest multiple of units of at least {@link #MIN}. */
    public static int period(int units) {
        return units * ((MIN + units - 1) / units);
    }

    /** {@code values[0 … units)} repeated through {@code table[0 … period + EXTRA)}. */
    public static float[] repeat(float[] values, int units, float[] table, int period) {
        for (int i = 0; i < period + EXTRA; i++) {
            table[i] = values[i % units];
        }
        return table;
    }
}
