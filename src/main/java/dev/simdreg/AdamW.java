package dev.simdreg;

import dev.simdreg.internal.Check;

/**
 * Settings of AdamW (Loshchilov and Hutter 2019), PyTorch's {@code torch.optim.AdamW} without amsgrad.
 * Hyperparameters are doubles, as PyTorch's are Python floats: the scalars a step derives from them
 * ({@code 1 − β}, {@code 1 − η·μ}, the bias corrections) are computed in double and rounded to float once,
 * so that {@code 1 − 0.999} is {@code 0.001f} as in PyTorch, not the {@code 0.00099998713f} of
 * {@code 1f − 0.999f}.
 *
 * @param learningRate η, {@code >= 0} and finite
 * @param beta1        the decay of the first moment, in [0, 1)
 * @param beta2        the decay of the second moment, in [0, 1) (1 would make its bias correction 0)
 * @param eps          added to the denominator after bias correction, {@code >= 0} and finite
 * @param weightDecay  μ, {@code >= 0} and finite: decoupled decay {@code w ← w·(1 − η·μ)}
 */
public record AdamW(double learningRate, double beta1, double beta2, double eps, double weightDecay) {

    public AdamW {
        Check.nonNegative(learningRate, "learningRate");
        Check.decay(beta1, "beta1");
        Check.decay(beta2, "beta2");
        Check.nonNegative(eps, "eps");
        Check.nonNegative(weightDecay, "weightDecay");
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static AdamW withDefaults(double learningRate) {
        return new AdamW(learningRate, 0.9, 0.999, 1e-8, 0.01);
    }
}
