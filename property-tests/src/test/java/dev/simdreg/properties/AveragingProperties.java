package dev.simdreg.properties;

import dev.simdreg.Averaging;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Polyak averaging against float64 references. */
class AveragingProperties {

    /**
     * Finite values only where {@code θ − avg} fits in float: the kernel computes that difference in
     * float, so for magnitudes near the float limit it overflows where float64 does not.
     */
    @Test
    void linearAverageMatchesReference() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            float[] avg = values.floats(shape.n());
            float[] theta = values.floats(shape.n());
            long t = values.coin() ? 1 : 1 + (long) values.uniform(1, 1_000_000);
            try (Arena arena = Arena.ofConfined()) {
                var ab = shape.storage().hold(arena, avg);
                var tb = shape.storage().hold(arena, theta);
                if (shape.storage().usesArrayApi()) {
                    Averaging.linearAverage(ab.array(), tb.array(), t);
                } else {
                    Averaging.linearAverage(ab.segment(), tb.segment(), t);
                }
                float[] got = ab.read();
                if (t == 1) {
                    assertArrayEquals(theta, got, "t = 1 copies theta");
                    return;
                }
                for (int i = 0; i < got.length; i++) {
                    double expected = avg[i] + ((double) theta[i] - avg[i]) / t;
                    double magnitude = Math.abs(avg[i]) + (Math.abs(theta[i]) + Math.abs(avg[i])) / t;
                    Close.within(expected, got[i], magnitude, 3, "avg[" + i + "]");
                }
            }
        });
    }

    @Test
    void exponentialAverageMatchesReference() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            float[] avg = values.floats(shape.n());
            float[] theta = values.floats(shape.n());
            float alpha = values.coin() ? values.uniform(0, 1) : values.uniform(0.99, 1);
            try (Arena arena = Arena.ofConfined()) {
                var ab = shape.storage().hold(arena, avg);
                var tb = shape.storage().hold(arena, theta);
                if (shape.storage().usesArrayApi()) {
                    Averaging.exponentialAverage(ab.array(), tb.array(), alpha);
                } else {
                    Averaging.exponentialAverage(ab.segment(), tb.segment(), alpha);
                }
                float[] got = ab.read();
                for (int i = 0; i < got.length; i++) {
                    double expected = (double) alpha * avg[i] + (1 - (double) alpha) * theta[i];
                    double magnitude = alpha * Math.abs((double) avg[i]) + (1 - alpha) * Math.abs((double) theta[i]);
                    Close.within(expected, got[i], magnitude, 3, "avg[" + i + "]");
                }
                assertArrayEquals(theta, tb.read(), "theta must not change");
            }
        });
    }
}
