package dev.simdreg;

import dev.simdreg.internal.Check;

/**
 * Settings of stochastic gradient descent, PyTorch's {@code torch.optim.SGD}. Checked here, once, so a
 * step call only checks its buffers. Hyperparameters are doubles, as PyTorch's are Python floats:
 * {@code 1 − dampening} is computed in double and each scalar is rounded to float once.
 *
 * @param learningRate the step size η, {@code >= 0} and finite
 * @param momentum     β in [0, 1]; 0 for plain SGD
 * @param dampening    d in [0, 1]: the new gradient enters the momentum buffer with weight {@code 1 - d}
 * @param weightDecay  μ, {@code >= 0} and finite: the L2 penalty {@code μ/2 ||w||²} coupled into the gradient
 * @param nesterov     Nesterov momentum; needs {@code momentum > 0} and {@code dampening == 0}, as in PyTorch
 */
public record Sgd(double learningRate, double momentum, double dampening, double weightDecay, boolean nesterov) {

    public Sgd {
        Check.nonNegative(learningRate, "learningRate");
        Check.fraction(momentum, "momentum");
        Check.fraction(dampening, "dampening");
        Check.nonNegative(weightDecay, "weightDecay");
        if (nesterov && (momentum == 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0, got momentum = "
                    + momentum + ", dampening = " + dampening);
        }
    }

    /** Plain SGD with L2 weight decay: {@code w ← (1 − η·μ)·w − η·g}. */
    public static Sgd withWeightDecay(double learningRate, double weightDecay) {
        return new Sgd(learningRate, 0, 0, weightDecay, false);
    }

    /** SGD with heavy-ball momentum, no dampening, and L2 weight decay. */
    public static Sgd withMomentum(double learningRate, double momentum, double weightDecay) {
        return new Sgd(learningRate, momentum, 0, weightDecay, false);
    }
}
