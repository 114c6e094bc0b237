package dev.simdreg.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.simdreg.AdamW;
import dev.simdreg.Optimizers;
import dev.simdreg.Sgd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimizers' plumbing, bit for bit: a DJL parameter stepped through {@code update} against simdreg's kernel
 * on arrays with the same settings, step numbers and learning rates (dampening and Nesterov included, which DJL's
 * own SGD lacks); the parameter's own gradient zeroed after each step; rescaling and clipping as documented.
 */
class PlumbingTest {

    private static final int N = 1000;

    @Test
    void sgdWithDampeningAndNesterovIsTheKernelStepForStep() {
        Sgd settings = new Sgd(0.05, 0.9, 0, 1e-3, true);
        Optimizer optimizer = SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9)
                .optNesterov(true).optWeightDecays(1e-3f).build();
        float[] buffer = new float[N];
        stepAgainst(optimizer, (step, w, g) -> Optimizers.sgd(settings, step, w, g, buffer));

        Sgd damped = new Sgd(0.05, 0.9, 0.3, 0, false);
        Optimizer dampedOptimizer = SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9)
                .optDampening(0.3).build();
        float[] dampedBuffer = new float[N];
        stepAgainst(dampedOptimizer, (step, w, g) -> Optimizers.sgd(damped, step, w, g, dampedBuffer));
    }

    @Test
    void adamWIsTheKernelStepForStepWithTheTrackersRate() {
        Tracker schedule = Tracker.factor().setBaseValue(1e-2f).setFactor(0.5f).build();
        Optimizer optimizer = SimdregAdamW.builder().optLearningRateTracker(schedule).optBeta2(0.99).build();
        float[] m = new float[N];
        float[] v = new float[N];
        stepAgainst(optimizer, (step, w, g) -> Optimizers.adamW(
                new AdamW(schedule.getNewValue(step), 0.9, 0.99, 1e-8, 0.01f), step, w, g, m, v));
    }

    @Test
    void rescalingAndClippingApplyToTheGradientBeforeTheStep() {
        Sgd settings = Sgd.withWeightDecay(0.1, 0);
        Optimizer optimizer = SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(0.1f)).setRescaleGrad(0.5f)
                .optClipGrad(0.2f).build();
        stepAgainst(optimizer, (step, w, g) -> {
            for (int i = 0; i < N; i++) {
                g[i] = Math.max(-0.2f, Math.min(0.2f, g[i] * 0.5f));
            }
            Optimizers.sgd(settings, step, w, g, null);
        });
    }

    @Test
    void aLearningRateTheTrackerMakesNonFiniteIsRefusedBeforeAnythingChanges() {
        Optimizer optimizer = SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(Float.NaN)).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.ones(new Shape(4));
            NDArray g = manager.ones(new Shape(4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> optimizer.update("w", w, g));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            assertArrayEquals(new float[] {1, 1, 1, 1}, w.toFloatArray());
        }
    }

    interface Step {
        void apply(int step, float[] w, float[] g);
    }

    /** Three steps of the optimizer on a DJL parameter and of the reference on copies: the same bits each time. */
    private static void stepAgainst(Optimizer optimizer, Step reference) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray w = manager.randomNormal(new Shape(N));
            w.setRequiresGradient(true);
            float[] expected = w.toFloatArray();
            for (int step = 1; step <= 3; step++) {
                NDArray g = manager.randomNormal(0, 0.5f, new Shape(N), ai.djl.ndarray.types.DataType.FLOAT32);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(w.mul(g).sum()); // the parameter's own gradient is g
                }
                float[] gradient = g.toFloatArray();
                optimizer.update("w", w, g);
                reference.apply(step, expected, gradient);
                assertArrayEquals(expected, w.toFloatArray(), "step " + step);
                try (NDArray own = w.getGradient()) {
                    assertEquals(0.0, own.abs().sum().getFloat(), "the parameter's gradient is zeroed");
                }
            }
        }
    }
}
