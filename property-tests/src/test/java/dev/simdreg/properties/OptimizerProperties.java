package dev.simdreg.properties;

import dev.simdreg.AdamW;
import dev.simdreg.Optimizers;
import dev.simdreg.Sgd;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * SGD and AdamW against float64 references written from PyTorch's update rules. Bounds count roundings
 * of the sum of absolute terms (see {@link Close}).
 */
class OptimizerProperties {

    @Test
    void sgdMatchesReference() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            int n = shape.n();
            float[] w = values.floats(n);
            float[] g = values.floats(n);
            boolean momentum = values.coin();
            boolean nesterov = momentum && values.coin();
            Sgd sgd = new Sgd(values.uniform(0, 1), momentum ? values.uniform(0.01, 1) : 0,
                    nesterov || !momentum ? 0 : values.uniform(0, 1), values.coin() ? 0 : values.uniform(0, 0.1),
                    nesterov);
            long step = values.coin() ? 1 : 2 + (long) values.uniform(0, 100);
            float[] buf = values.floats(n);
            if (step == 1) {
                Arrays.fill(buf, Float.NaN); // step 1 must not read the buffer
            }
            try (Arena arena = Arena.ofConfined()) {
                var wb = shape.storage().hold(arena, w);
                var gb = shape.storage().hold(arena, g);
                var bb = shape.storage().hold(arena, buf);
                if (shape.storage().usesArrayApi()) {
                    Optimizers.sgd(sgd, step, wb.array(), gb.array(), momentum ? bb.array() : null);
                } else {
                    Optimizers.sgd(sgd, step, wb.segment(), gb.segment(), momentum ? bb.segment() : null);
                }
                float[] gotW = wb.read();
                float[] gotBuf = bb.read();
                double lr = sgd.learningRate();
                double mu = sgd.weightDecay();
                double beta = sgd.momentum();
                double damping = 1 - (double) sgd.dampening();
                for (int i = 0; i < n; i++) {
                    double d = g[i] + mu * w[i];
                    double dMag = Math.abs(g[i]) + mu * Math.abs(w[i]);
                    double u = d;
                    double uMag = dMag;
                    if (momentum) {
                        double b = step == 1 ? d : beta * buf[i] + damping * d;
                        double bMag = step == 1 ? dMag : beta * Math.abs(buf[i]) + damping * dMag;
                        Close.within(b, gotBuf[i], bMag, 4, "momentum buffer [" + i + "]");
                        u = nesterov ? d + beta * b : b;
                        uMag = nesterov ? dMag + beta * bMag : bMag;
                    }
                    Close.within(w[i] - lr * u, gotW[i], Math.abs(w[i]) + lr * uMag, 6, "w[" + i + "]");
                }
                if (!momentum) {
                    assertArrayEquals(buf, gotBuf, "an unused momentum buffer must not change");
                }
                assertArrayEquals(g, gb.read(), "grad must not change");
            }
        });
    }

    @Test
    void adamWMatchesReference() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            int n = shape.n();
            float[] w = values.floats(n);
            float[] g = values.floats(n);
            long step = values.coin() ? 1 : 1 + (long) values.uniform(1, 5000);
            float[] m = step == 1 ? new float[n] : values.floats(n);
            float[] v = step == 1 ? new float[n] : values.nonNegative(n, 4);
            AdamW adamW = new AdamW(values.uniform(1e-4, 0.1), values.uniform(0, 0.99), values.uniform(0.9, 0.9999),
                    values.uniform(1e-8, 1e-3), values.uniform(0, 0.1));
            try (Arena arena = Arena.ofConfined()) {
                var wb = shape.storage().hold(arena, w);
                var gb = shape.storage().hold(arena, g);
                var mb = shape.storage().hold(arena, m);
                var vb = shape.storage().hold(arena, v);
                if (shape.storage().usesArrayApi()) {
                    Optimizers.adamW(adamW, step, wb.array(), gb.array(), mb.array(), vb.array());
                } else {
                    Optimizers.adamW(adamW, step, wb.segment(), gb.segment(), mb.segment(), vb.segment());
                }
                float[] gotW = wb.read();
                float[] gotM = mb.read();
                float[] gotV = vb.read();
                double lr = adamW.learningRate();
                double beta1 = adamW.beta1();
                double beta2 = adamW.beta2();
                double bias1 = 1 - Math.pow(beta1, step);
                double bias2 = 1 - Math.pow(beta2, step);
                for (int i = 0; i < n; i++) {
                    double decayed = w[i] * (1 - lr * adamW.weightDecay());
                    double mi = beta1 * m[i] + (1 - beta1) * g[i];
                    double mMag = Math.abs(m[i]) + (1 - beta1) * (Math.abs(g[i]) + Math.abs(m[i]));
                    double vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                    double denominator = Math.sqrt(vi) / Math.sqrt(bias2) + adamW.eps();
                    double wi = decayed - lr / bias1 * mi / denominator;
                    double wMag = Math.abs(decayed) + lr / bias1 * mMag / denominator;
                    Close.within(mi, gotM[i], mMag, 4, "m[" + i + "]");
                    Close.within(vi, gotV[i], vi, 4, "v[" + i + "]");
                    Close.within(wi, gotW[i], wMag, 16, "w[" + i + "]");
                }
                assertArrayEquals(g, gb.read(), "grad must not change");
            }
        });
    }
}
