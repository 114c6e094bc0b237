package dev.simdreg;

import dev.simdreg.internal.Check;

/**
 * Settings of batch normalization, as PyTorch's {@code BatchNorm} modules take them: doubles, as PyTorch's
 * are Python floats, so that {@code 1 − momentum} and {@code var + ε} are the values PyTorch computes.
 *
 * @param epsilon  added to the variance before the square root, {@code > 0} and finite
 * @param momentum the weight of the new batch in the running statistics, in [0, 1]:
 *                 {@code running ← (1 − momentum)·running + momentum·batch} (PyTorch's convention; for
 *                 its cumulative average, {@code momentum=None}, pass {@link BatchNorm#cumulativeMomentum})
 * @param relu     whether a ReLU follows, fused into the same pass (forward and backward)
 */
public record BatchNormOptions(double epsilon, double momentum, boolean relu) {

    public BatchNormOptions {
        Check.positive(epsilon, "epsilon");
        Check.fraction(momentum, "momentum");
    }

    /** PyTorch's defaults: ε = 1e-5, momentum 0.1, no ReLU. */
    public static BatchNormOptions defaults() {
        return new BatchNormOptions(1e-5, 0.1, false);
    }

    public BatchNormOptions withEpsilon(double newEpsilon) {
        return new BatchNormOptions(newEpsilon, momentum, relu);
    }

    public BatchNormOptions withMomentum(double newMomentum) {
        return new BatchNormOptions(epsilon, newMomentum, relu);
    }

    public BatchNormOptions withRelu(boolean newRelu) {
        return new BatchNormOptions(epsilon, momentum, newRelu);
    }
}
