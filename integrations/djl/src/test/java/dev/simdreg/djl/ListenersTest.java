package dev.simdreg.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.listener.EarlyStoppingListener.EarlyStoppedException;
import ai.djl.training.tracker.Tracker;
import dev.simdreg.EarlyStopping;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listeners' and hooks' effects in training, against their formulas computed here in double. */
class ListenersTest {

    private static SimdregSgd.Builder sgd() {
        return SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9);
    }

    @Test
    void clippingScalesEveryGradientToTheGlobalNorm() {
        GradientClipping clipping = GradientClipping.byGlobalNorm(0.05f);
        try (Mlp mlp = new Mlp(sgd().build())) {
            mlp.forwardBackward(0); // without the listener: the gradients as they come
            List<Parameter> parameters = mlp.parameters();
            float[][] raw = parameters.stream().map(ListenersTest::gradient).toArray(float[][]::new);
            double sum = 0;
            for (float[] g : raw) {
                for (float v : g) {
                    sum += (double) v * v;
                }
            }
            double total = Math.sqrt(sum);
            assertTrue(total > 0.05, "the test needs gradients above the bound: " + total);
            clipping.onTrainingBatch(mlp.trainer, null);
            assertEquals(total, clipping.lastNorm(), 1e-5 * total);
            double factor = 0.05 / (total + 1e-6);
            for (int p = 0; p < raw.length; p++) {
                float[] clipped = gradient(parameters.get(p));
                for (int i = 0; i < clipped.length; i++) {
                    assertEquals(raw[p][i] * factor, clipped[i], 1e-6 * Math.abs(raw[p][i] * factor) + 1e-12);
                }
            }
        }
    }

    @Test
    void maxNormHoldsEveryUnitAfterEveryStep() {
        float maxNorm = 0.9f;
        MaxNorm constraint = MaxNorm.of(maxNorm);
        try (Mlp mlp = new Mlp(sgd().addAfterStep(constraint).build())) {
            for (int step = 0; step < 40; step++) {
                mlp.train(step);
                for (Parameter parameter : mlp.parameters()) {
                    if (parameter.getShape().dimension() < 2) {
                        continue;
                    }
                    float[] w = Mlp.values(parameter);
                    int rows = (int) parameter.getShape().get(0);
                    int cols = w.length / rows;
                    for (int r = 0; r < rows; r++) {
                        double sum = 0;
                        for (int c = 0; c < cols; c++) {
                            sum += (double) w[r * cols + c] * w[r * cols + c];
                        }
                        assertTrue(Math.sqrt(sum) <= maxNorm * (1 + 1e-6), parameter.getName() + " row " + r);
                    }
                }
            }
            assertTrue(constraint.rowsScaled() > 0, "the bound never bit: the test would prove nothing");
        }
    }

    @Test
    void linearAveragingIsTheMeanOfTheIteratesAndSwapsBackExactly() {
        ParameterAveraging averaging = ParameterAveraging.linear();
        try (Mlp mlp = new Mlp(sgd().addAfterStep(averaging).build())) {
            List<Parameter> parameters = mlp.parameters();
            double[][] sums = new double[parameters.size()][];
            int steps = 25;
            for (int step = 0; step < steps; step++) {
                mlp.train(step);
                for (int p = 0; p < parameters.size(); p++) {
                    float[] w = Mlp.values(parameters.get(p));
                    if (sums[p] == null) {
                        sums[p] = new double[w.length];
                    }
                    for (int i = 0; i < w.length; i++) {
                        sums[p][i] += w[i];
                    }
                }
            }
            float[][] training = parameters.stream().map(Mlp::values).toArray(float[][]::new);
            try (ParameterAveraging.Swap swap = averaging.swapIn(mlp.model.getBlock())) {
                assertEquals(parameters.size(), swap.parameters());
                for (int p = 0; p < parameters.size(); p++) {
                    assertEquals(steps, averaging.iterates(parameters.get(p).getId()));
                    float[] average = Mlp.values(parameters.get(p));
                    for (int i = 0; i < average.length; i++) {
                        double mean = sums[p][i] / steps;
                        assertEquals(mean, average[i], 1e-5 * Math.abs(mean) + 1e-7);
                    }
                }
            }
            for (int p = 0; p < parameters.size(); p++) {
                assertArrayEquals(training[p], Mlp.values(parameters.get(p)), "swapped back to the training weights");
            }
        }
    }

    @Test
    void exponentialAveragingFollowsItsRecurrence() {
        double alpha = 0.8;
        ParameterAveraging averaging = ParameterAveraging.exponential(alpha);
        try (Mlp mlp = new Mlp(sgd().addAfterStep(averaging).build())) {
            Parameter parameter = mlp.parameters().get(0);
            double[] expected = null;
            for (int step = 0; step < 20; step++) {
                mlp.train(step);
                float[] w = Mlp.values(parameter);
                if (expected == null) {
                    expected = new double[w.length];
                    for (int i = 0; i < w.length; i++) {
                        expected[i] = w[i];
                    }
                } else {
                    for (int i = 0; i < w.length; i++) {
                        expected[i] = alpha * expected[i] + (1 - alpha) * w[i];
                    }
                }
            }
            float[] average = averaging.average(parameter.getId()).toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < average.length; i++) {
                assertEquals(expected[i], average[i], 1e-5 * Math.abs(expected[i]) + 1e-7);
            }
        }
    }

    @Test
    void earlyStoppingRestoresTheBestEpochsWeightsBitForBit() {
        double[] scores = {3.0, 2.0, 2.5, 2.6, 2.7};
        int[] epoch = {0};
        try (EarlyStoppingWithRestore stopping = EarlyStoppingWithRestore.on(EarlyStopping.Mode.MIN, 2, 0,
                trainer -> scores[epoch[0]]);
             Mlp mlp = new Mlp(sgd().build(), stopping)) {
            float[][] best = null;
            EarlyStoppedException stopped = null;
            for (; epoch[0] < scores.length && stopped == null; epoch[0]++) {
                mlp.train(epoch[0]);
                if (epoch[0] == 1) {
                    best = mlp.parameters().stream().map(Mlp::values).toArray(float[][]::new);
                }
                try {
                    stopping.onEpoch(mlp.trainer);
                } catch (EarlyStoppedException e) {
                    stopped = e;
                }
            }
            assertTrue(stopped != null, "patience 2 after the best at epoch 2 stops at epoch 4");
            assertEquals(4, stopped.getStopEpoch());
            assertEquals(2, stopping.bestEpoch());
            assertEquals(2.0, stopping.bestScore());
            List<Parameter> parameters = mlp.parameters();
            for (int p = 0; p < parameters.size(); p++) {
                assertArrayEquals(best[p], Mlp.values(parameters.get(p)), parameters.get(p).getName());
            }
        }
    }

    @Test
    void badSettingsAreRefusedByName() {
        assertThrows(IllegalArgumentException.class, () -> MaxNorm.of(0f));
        assertThrows(IllegalArgumentException.class, () -> GradientClipping.byGlobalNorm(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> ParameterAveraging.exponential(1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SimdregAdamW.builder().optBeta1(1.5).build());
        assertTrue(e.getMessage().contains("beta1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SimdregSgd.builder().build());
        assertTrue(e.getMessage().contains("learningRateTracker"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> EarlyStoppingWithRestore.onLoss(-1, 0));
    }

    private static float[] gradient(Parameter parameter) {
        try (NDArray gradient = parameter.getArray().getGradient()) {
            return gradient.toFloatArray();
        }
    }
}
