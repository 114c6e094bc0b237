package dev.simdreg.djl;

import dev.simdreg.Optimizers;
import dev.simdreg.Sgd;

import java.lang.foreign.MemorySegment;

/**
 * SGD as a DJL optimizer, on simdreg's fused kernel: PyTorch's {@code torch.optim.SGD} with momentum,
 * dampening, Nesterov momentum and L2 weight decay ({@link Optimizers#sgd}). DJL's {@code Optimizer.sgd()}
 * has momentum and weight decay but neither dampening nor Nesterov; where both apply (no dampening, no
 * Nesterov, a fixed learning rate) the two give the same update.
 *
 * <p>Defaults: momentum 0 (plain SGD), dampening 0, no Nesterov, no weight decay; the learning rate has no
 * default and must be given by {@link Builder#optLearningRateTracker}.
 */
public final class SimdregSgd extends SimdregOptimizer {

    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    private SimdregSgd(Builder builder) {
        super(builder);
        if (!builder.learningRateSet) {
            throw new IllegalArgumentException("learningRateTracker was not set: SGD has no default learning rate");
        }
        // checks the settings now rather than at the first step
        new Sgd(0, builder.momentum, builder.dampening, getWeightDecay(), builder.nesterov);
        this.momentum = builder.momentum;
        this.dampening = builder.dampening;
        this.nesterov = builder.nesterov;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected int stateBuffers() {
        return momentum > 0 ? 1 : 0;
    }

    @Override
    protected void step(int step, boolean first, double learningRate, MemorySegment weight, MemorySegment gradient,
                        MemorySegment[] state) {
        // the buffer's first step sets it to the gradient, as PyTorch's first step with an empty buffer
        Optimizers.sgd(new Sgd(learningRate, momentum, dampening, getWeightDecay(), nesterov), first ? 1 : step,
                weight, gradient, state.length == 0 ? null : state[0]);
    }

    /** Settings of {@link SimdregSgd}. */
    public static final class Builder extends SimdregOptimizer.Builder<Builder> {

        private double momentum;
        private double dampening;
        private boolean nesterov;
        private boolean learningRateSet;

        private Builder() {
            super(Float.NaN);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        public Builder optLearningRateTracker(ai.djl.training.tracker.ParameterTracker learningRateTracker) {
            learningRateSet = true;
            return super.optLearningRateTracker(learningRateTracker);
        }

        /** Momentum β in [0, 1]. */
        public Builder optMomentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Dampening in [0, 1]: the gradient enters the momentum buffer with weight {@code 1 − dampening}. */
        public Builder optDampening(double dampening) {
            this.dampening = dampening;
            return this;
        }

        /** Nesterov momentum; needs momentum > 0 and no dampening. */
        public Builder optNesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        public SimdregSgd build() {
            return new SimdregSgd(this);
        }
    }
}
