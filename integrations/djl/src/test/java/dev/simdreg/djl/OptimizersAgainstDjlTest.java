package dev.simdreg.djl;

import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * simdreg's optimizers against DJL's own on the PyTorch engine: the same MLP from the same weights on the same
 * batches, 300 steps each, then every parameter compared as {@code ‖simdreg − DJL‖ / ‖DJL‖}.
 *
 * <p>Tolerances, from what each pair computes differently (measured 2026-12-05, PyTorch 2.7.1):
 * SGD with momentum is the same formula in another order of roundings: 1.7e-7 after 300 steps, bound 1e-5.
 * AdamW: DJL adds ε before the bias correction of {@code √v}, simdreg (as PyTorch) after it, which weighs where
 * {@code √v} is near ε: 5.0e-4 with ε = 1e-8, bound 1e-3 (2.8e-4 under a decaying learning-rate tracker, the
 * same bound); with ε = 1e-12, where that no longer weighs, the
 * difference falls to the roundings', 3.8e-6, bound 2e-5. Each test also checks that training moved the
 * parameters a hundred times as far as they differ, and lowered the loss.
 */
class OptimizersAgainstDjlTest {

    private static final int STEPS = 300;

    @Test
    void adamWFollowsDjlsAdamW() {
        Report report = compare(
                Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).build(),
                SimdregAdamW.builder().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
        report.check(1e-3);
    }

    @Test
    void adamWFollowsDjlsAdamWUnderALearningRateSchedule() {
        // 3e-3 decaying by 0.5% a step: a tracker ignored would leave simdreg at the builder's 1e-3, far off
        Report report = compare(
                Optimizer.adamW().optLearningRateTracker(Tracker.factor().setBaseValue(3e-3f).setFactor(0.995f).build())
                        .build(),
                SimdregAdamW.builder().optLearningRateTracker(
                        Tracker.factor().setBaseValue(3e-3f).setFactor(0.995f).build()).build());
        report.check(1e-3);
    }

    @Test
    void adamWWithATinyEpsilonDiffersOnlyByRounding() {
        Report report = compare(
                Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).optEpsilon(1e-12f).build(),
                SimdregAdamW.builder().optLearningRateTracker(Tracker.fixed(1e-3f)).optEpsilon(1e-12).build());
        report.check(2e-5);
    }

    @Test
    void sgdWithMomentumFollowsDjlsSgd() {
        Report report = compare(
                Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9f)
                        .optWeightDecays(1e-4f).build(),
                SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(0.05f)).optMomentum(0.9)
                        .optWeightDecays(1e-4f).build());
        report.check(1e-5);
    }

    /** The largest relative difference over the parameters, the smallest relative move from the start. */
    record Report(String name, double largestRelativeDifference, double movedFromStart, float startLoss,
                  float djlLoss, float simdregLoss) {

        void check(double tolerance) {
            System.out.println(this);
            assertTrue(largestRelativeDifference < tolerance, toString());
            assertTrue(movedFromStart > 100 * largestRelativeDifference, "training hardly moved: " + this);
            assertTrue(djlLoss < 0.75 * startLoss && simdregLoss < 0.75 * startLoss, "training did not train: " + this);
        }
    }

    private static Report compare(Optimizer djl, Optimizer simdreg) {
        try (Mlp reference = new Mlp(djl); Mlp ours = new Mlp(simdreg)) {
            float[][] initial = reference.parameters().stream().map(Mlp::values).toArray(float[][]::new);
            float startLoss = reference.loss();
            for (int step = 0; step < STEPS; step++) {
                reference.train(step);
                ours.train(step);
            }
            List<Parameter> a = reference.parameters();
            List<Parameter> b = ours.parameters();
            assertEquals(a.size(), b.size());
            double largest = 0;
            double moved = Double.POSITIVE_INFINITY;
            for (int p = 0; p < a.size(); p++) {
                float[] expected = Mlp.values(a.get(p));
                largest = Math.max(largest, distance(Mlp.values(b.get(p)), expected) / norm(expected));
                moved = Math.min(moved, distance(expected, initial[p]) / norm(initial[p]));
            }
            return new Report(simdreg.getClass().getSimpleName(), largest, moved, startLoss, reference.loss(),
                    ours.loss());
        }
    }

    private static double distance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    private static double norm(float[] a) {
        return distance(a, new float[a.length]);
    }
}
