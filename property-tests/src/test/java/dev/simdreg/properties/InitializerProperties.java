package dev.simdreg.properties;

import dev.simdreg.Initializers;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Initializers against their definitions: the uniform ones are the float nearest {@code b·(2k/2^24 − 1)}
 * for the stream's 24-bit draw k, the normal ones {@code std·z} within the normal's own bound; and with
 * fixed seeds, their means, variances and ranges.
 */
class InitializerProperties {

    private static final int STATISTICS_N = 1 << 20;

    private static long seedOf(Values values) {
        return (long) values.uniform(-1e12, 1e12);
    }

    private static long offsetOf(Values values) {
        return values.coin() ? (long) values.uniform(0, 100) : (long) values.uniform(0, 1e12);
    }

    private static int fanOf(Values values) {
        return values.coin() ? 1 + (int) values.uniform(0, 10) : 1 + (int) values.uniform(0, 100_000);
    }

    @Test
    void uniformInitializersAreTheirDefinition() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            long seed = seedOf(values), offset = offsetOf(values);
            int fanIn = fanOf(values), fanOut = fanOf(values);
            boolean glorot = values.coin();
            float bound = (float) Math.sqrt(6.0 / (glorot ? (double) fanIn + fanOut : fanIn));
            try (Arena arena = Arena.ofConfined()) {
                var out = shape.storage().hold(arena, new float[shape.n()]);
                if (glorot && shape.storage().usesArrayApi()) {
                    Initializers.glorotUniform(seed, offset, fanIn, fanOut, out.array());
                } else if (glorot) {
                    Initializers.glorotUniform(seed, offset, fanIn, fanOut, out.segment());
                } else if (shape.storage().usesArrayApi()) {
                    Initializers.heUniform(seed, offset, fanIn, out.array());
                } else {
                    Initializers.heUniform(seed, offset, fanIn, out.segment());
                }
                float[] got = out.read();
                for (int i = 0; i < got.length; i += step(got.length)) {
                    double k = ReferenceStreams.uniform(seed, offset + i) * 16777216.0;
                    Close.exactly(bound * (2 * k / 16777216.0 - 1), got[i], "uniform init[" + i + "]");
                }
            }
        });
    }

    @Test
    void normalInitializersAreScaledNormals() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            long seed = seedOf(values), offset = offsetOf(values);
            int fanIn = fanOf(values), fanOut = fanOf(values);
            boolean glorot = values.coin();
            float std = (float) Math.sqrt(2.0 / (glorot ? (double) fanIn + fanOut : fanOut));
            try (Arena arena = Arena.ofConfined()) {
                var out = shape.storage().hold(arena, new float[shape.n()]);
                if (glorot && shape.storage().usesArrayApi()) {
                    Initializers.glorotNormal(seed, offset, fanIn, fanOut, out.array());
                } else if (glorot) {
                    Initializers.glorotNormal(seed, offset, fanIn, fanOut, out.segment());
                } else if (shape.storage().usesArrayApi()) {
                    Initializers.heNormal(seed, offset, fanOut, out.array());
                } else {
                    Initializers.heNormal(seed, offset, fanOut, out.segment());
                }
                float[] got = out.read();
                for (int i = 0; i < got.length; i += step(got.length)) {
                    double expected = std * ReferenceStreams.normal(seed, offset + i);
                    // the normal's bound, scaled, and the rounding of the product
                    double bound = std * (3e-7 * (1 + ReferenceStreams.radius(seed, offset + i)) + 6 * 0x1p-24);
                    int index = i;
                    assertTrue(Math.abs(got[i] - expected) <= bound,
                            () -> "normal init[" + index + "] = " + got[index] + ", expected " + expected);
                }
            }
        });
    }

    @Test
    void momentsAndRanges() {
        float[] w = new float[STATISTICS_N];
        Initializers.glorotUniform(7, 0, 300, 100, w);
        double bound = Math.sqrt(6.0 / 400);
        assertMoments(w, bound * bound / 3, Math.pow(bound, 4) / 5, "glorotUniform");
        for (float v : w) {
            assertTrue(Math.abs(v) <= (float) bound, "glorotUniform within ±" + bound + ": " + v);
        }
        Initializers.heNormal(8, 1 << 30, 512, w);
        double variance = 2.0 / 512;
        assertMoments(w, variance, 3 * variance * variance, "heNormal");
        for (float v : w) {
            assertTrue(Math.abs(v) <= 5.78 * Math.sqrt(variance), "heNormal within 5.78 std: " + v);
        }
        Initializers.heUniform(9, 5, 27, w);
        assertMoments(w, 2.0 / 27, Math.pow(6.0 / 27, 2) / 5, "heUniform");
        Initializers.glorotNormal(10, 0, 64, 64, w);
        assertMoments(w, 2.0 / 128, 3 * Math.pow(2.0 / 128, 2), "glorotNormal");
    }

    /** Mean 0 and the given variance, each within 5 standard errors (the variance's from the fourth moment). */
    private static void assertMoments(float[] w, double variance, double fourthMoment, String what) {
        double n = w.length, sum = 0, squares = 0;
        for (float v : w) {
            sum += v;
            squares += (double) v * v;
        }
        assertTrue(Math.abs(sum / n) < 5 * Math.sqrt(variance / n), what + " mean " + sum / n);
        double spread = Math.sqrt((fourthMoment - variance * variance) / n);
        assertTrue(Math.abs(squares / n - variance) < 5 * spread,
                what + " variance " + squares / n + ", expected " + variance);
    }

    private static int step(int n) {
        return n > 5000 ? 97 : 1;
    }
}
