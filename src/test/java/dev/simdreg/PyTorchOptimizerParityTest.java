package dev.simdreg;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AdamW and momentum SGD against PyTorch's CPU optimizers (torch 1.13, Debian's python3-torch), three steps
 * recorded by {@code src/test/python/optimizer_fixtures.py}. The scalars a step derives from its
 * hyperparameters are computed in double and rounded once, as PyTorch computes them in Python, so the
 * second moment, which PyTorch and simdreg both take as {@code fma((1−β2)·g, g, β2·v)}, and momentum SGD
 * match bit for bit. With {@code 1f − 0.999f} the second moment was 217 ulp off (measured). The first moment
 * is one fma, as PyTorch 2's {@code lerp_}; PyTorch 1.13 rounds {@code β1·m} and {@code (1−β1)·g} apart.
 */
class PyTorchOptimizerParityTest {

    @Test
    void adamWMatchesPyTorch() throws IOException {
        Map<String, float[]> f = fixture();
        float[] w = f.get("w0").clone(), m = new float[w.length], v = new float[w.length];
        for (int step = 1; step <= 3; step++) {
            Optimizers.adamW(AdamW.withDefaults(1e-3), step, w, f.get("g" + (step - 1)), m, v);
        }
        assertEquals(0, ulps(f.get("adamw_v"), v), "second moment, in ulp");
        assertTrue(ulps(f.get("adamw_m"), m) <= 64, "first moment within 64 ulp (63 measured)");
        assertTrue(ulps(f.get("adamw_w"), w) <= 2, "weights within 2 ulp (2 measured)");
    }

    @Test
    void momentumSgdMatchesPyTorch() throws IOException {
        Map<String, float[]> f = fixture();
        float[] w = f.get("w0").clone(), buf = new float[w.length];
        Sgd sgd = new Sgd(0.01, 0.9, 0.1, 1e-4, false);
        for (int step = 1; step <= 3; step++) {
            Optimizers.sgd(sgd, step, w, f.get("g" + (step - 1)), buf);
        }
        assertEquals(0, ulps(f.get("sgd_buf"), buf), "momentum buffer, in ulp");
        assertEquals(0, ulps(f.get("sgd_w"), w), "weights, in ulp");
    }

    /** The largest distance in units in the last place between expected and actual, element by element. */
    private static long ulps(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        long worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs((long) order(expected[i]) - order(actual[i])));
        }
        return worst;
    }

    /** The float's place in the order of all floats, so that neighbours differ by one. */
    private static int order(float value) {
        int bits = Float.floatToRawIntBits(value);
        return bits < 0 ? Integer.MIN_VALUE - bits : bits;
    }

    private static Map<String, float[]> fixture() throws IOException {
        return PyTorchParityTest.fixture("pytorch/optimizers.txt", "src/test/python/optimizer_fixtures.py");
    }
}
