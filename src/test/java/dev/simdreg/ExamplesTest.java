package dev.simdreg;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Worked examples with answers computed by hand. */
class ExamplesTest {

    @Test
    void softThresholdKeepsSignsAndNaN() {
        float[] x = {-2f, -0.5f, -0f, 0f, 0.5f, 1f, 2f, Float.NaN, Float.NEGATIVE_INFINITY};
        float[] out = new float[x.length];
        Penalties.softThreshold(x, 1f, out);
        assertArrayEquals(new float[] {-1f, -0f, -0f, 0f, 0f, 0f, 1f, Float.NaN, Float.NEGATIVE_INFINITY}, out);
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(out[1]), "softshrink(-0.5) is -0");
    }

    @Test
    void softThresholdInPlace() {
        float[] x = {3f, -3f};
        Penalties.softThreshold(x, 0.5f, x);
        assertArrayEquals(new float[] {2.5f, -2.5f}, x);
    }

    @Test
    void proximalStepShrinksTowardZero() {
        float[] w = {1f, -1f, 0.05f};
        Penalties.proximalL1Step(w, new float[] {1f, -1f, 0f}, 0.5f, 0.2f);
        // w - 0.5 g = {0.5, -0.5, 0.05}; threshold 0.1
        assertArrayEquals(new float[] {0.4f, -0.4f, 0f}, w, 1e-7f);
    }

    @Test
    void normsOfSmallVectors() {
        float[] x = {3f, -4f};
        assertEquals(7f, Penalties.l1Norm(x));
        assertEquals(25f, Penalties.sumOfSquares(x));
        assertEquals(5f, Penalties.l2Norm(x));
    }

    @Test
    void l2NormOfExtremesNeitherOverflowsNorUnderflows() {
        assertEquals(Float.MAX_VALUE, Penalties.l2Norm(new float[] {Float.MAX_VALUE, 0f}));
        assertEquals(5e37f, Penalties.l2Norm(new float[] {3e37f, 4e37f}), 5e37f * 1e-6f);
        assertEquals(Float.MIN_VALUE, Penalties.l2Norm(new float[] {Float.MIN_VALUE}));
        assertEquals(5e-40f, Penalties.l2Norm(new float[] {3e-40f, -4e-40f}), 1e-44f);
        assertEquals(Float.POSITIVE_INFINITY, Penalties.sumOfSquares(new float[] {Float.MAX_VALUE}),
                "beyond the float range is infinite, not spurious");
        assertTrue(Float.isNaN(Penalties.l2Norm(new float[] {1f, Float.NaN, Float.POSITIVE_INFINITY})));
        assertEquals(Float.POSITIVE_INFINITY, Penalties.l2Norm(new float[] {1f, Float.NEGATIVE_INFINITY}));
    }

    @Test
    void plainSgdIsTheLecturesWeightDecayStep() {
        float[] w = {1f, -2f};
        Optimizers.sgd(Sgd.withWeightDecay(0.1f, 0.5f), 1, w, new float[] {1f, 1f}, null);
        // (1 - 0.1 * 0.5) w - 0.1 g
        assertArrayEquals(new float[] {0.95f - 0.1f, -1.9f - 0.1f}, w, 1e-6f);
    }

    @Test
    void momentumFollowsPyTorch() {
        Sgd sgd = new Sgd(0.1f, 0.9f, 0.5f, 0f, false);
        float[] w = {0f};
        float[] buf = {Float.NaN};
        Optimizers.sgd(sgd, 1, w, new float[] {1f}, buf);
        assertArrayEquals(new float[] {1f}, buf, "step 1 copies the gradient, ignoring the old buffer");
        assertArrayEquals(new float[] {-0.1f}, w, 1e-7f);
        Optimizers.sgd(sgd, 2, w, new float[] {1f}, buf);
        assertArrayEquals(new float[] {0.9f + 0.5f}, buf, 1e-6f);
        assertArrayEquals(new float[] {-0.1f - 0.14f}, w, 1e-6f);
        Sgd nesterov = new Sgd(0.1f, 0.9f, 0f, 0f, true);
        float[] v = {0f};
        float[] b = {0f};
        Optimizers.sgd(nesterov, 1, v, new float[] {1f}, b);
        assertArrayEquals(new float[] {-0.1f * (1f + 0.9f)}, v, 1e-6f);
    }

    @Test
    void firstAdamWStepMovesEachWeightByTheLearningRate() {
        // After one step m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps): lr times the sign.
        AdamW adamW = new AdamW(0.01f, 0.9f, 0.999f, 1e-8f, 0f);
        float[] w = {1f, 1f, 1f};
        float[] m = new float[3];
        float[] v = new float[3];
        Optimizers.adamW(adamW, 1, w, new float[] {3f, -0.5f, 1e-3f}, m, v);
        assertArrayEquals(new float[] {0.99f, 1.01f, 0.99f}, w, 1e-6f);
        assertArrayEquals(new float[] {0.3f, -0.05f, 1e-4f}, m, 1e-7f);
    }

    @Test
    void adamWDecaysDecoupledFromTheGradient() {
        AdamW adamW = new AdamW(0.1f, 0.9f, 0.999f, 1e-8f, 0.5f);
        float[] w = {2f};
        Optimizers.adamW(adamW, 1, w, new float[] {0f}, new float[1], new float[1]);
        assertArrayEquals(new float[] {2f * (1 - 0.05f)}, w, 1e-6f, "zero gradient: only the decay acts");
    }

    @Test
    void linearAverageOfIteratesIsTheirMean() {
        float[] avg = {Float.NaN, Float.NaN};
        for (int t = 1; t <= 4; t++) {
            Averaging.linearAverage(avg, new float[] {t, -2 * t}, t);
        }
        assertArrayEquals(new float[] {2.5f, -5f}, avg);
    }

    @Test
    void exponentialAverage() {
        float[] avg = {1f};
        Averaging.exponentialAverage(avg, new float[] {3f}, 0.75f);
        assertArrayEquals(new float[] {1.5f}, avg);
    }

    @Test
    void projectionLeavesVectorsInsideTheBallUntouched() {
        float[] v = {0.6f, 0.8f};
        assertEquals(1f, Projections.projectToL2Ball(v, 1f));
        assertArrayEquals(new float[] {0.6f, 0.8f}, v);
        float[] w = {3f, 4f};
        assertEquals(5f, Projections.projectToL2Ball(w, 1f));
        assertArrayEquals(new float[] {0.6f, 0.8f}, w, 1e-7f);
    }

    @Test
    void repeatedProjectionDoesNotDrift() {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37) * 3;
        }
        for (int k = 0; k < 200; k++) {
            Projections.projectToL2Ball(v, 2f);
        }
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        assertEquals(2.0, Math.sqrt(norm), 2.0 * 1e-6, "200 projections keep the norm at the radius");
    }

    @Test
    void maxNormScalesOnlyRowsAboveTheLimit() {
        float[] w = {3f, 4f, 0.3f, 0.4f, 0f, 0f};
        assertEquals(1, Projections.maxNormRows(w, 3, 2, 1f));
        assertArrayEquals(new float[] {0.6f, 0.8f, 0.3f, 0.4f, 0f, 0f}, w, 1e-7f);
    }

    @Test
    void clipGradNormReturnsTheTotalAndScalesLikePyTorch() {
        float[] a = {3f};
        float[] b = {4f};
        float total = Projections.clipGradNorm(new float[][] {a, b}, 1f);
        assertEquals(5f, total);
        float factor = (float) (1.0 / (5.0 + 1e-6));
        assertArrayEquals(new float[] {3f * factor}, a, 1e-7f);
        assertArrayEquals(new float[] {4f * factor}, b, 1e-7f);
        float[] small = {0.1f};
        assertEquals(0.1f, Projections.clipGradNorm(new float[][] {small}, 1f));
        assertArrayEquals(new float[] {0.1f}, small, "below the limit: untouched");
    }

    @Test
    void segmentsAndArraysGiveTheSameResults() {
        float[] x = {1f, -2f, 3f, -4f, 5f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment out = arena.allocate(in.byteSize());
            Penalties.softThreshold(in, 1.5f, out);
            float[] expected = new float[x.length];
            Penalties.softThreshold(x, 1.5f, expected);
            assertArrayEquals(expected, out.toArray(ValueLayout.JAVA_FLOAT));
            assertEquals(Penalties.l2Norm(x), Penalties.l2Norm(in));
        }
    }

    @Test
    void providerInfoSaysWhatIsActive() {
        ProviderInfo info = Simdreg.provider();
        assertTrue(info.name().equals("vector") || info.name().equals("scalar"));
        assertTrue(info.toString().contains(info.name()));
        assertTrue(!info.reason().isEmpty());
    }
}
