package dev.simdreg.djl;

import dev.simdreg.AdamW;
import dev.simdreg.Optimizers;

import java.lang.foreign.MemorySegment;

/**
 * AdamW as a DJL optimizer, on simdreg's fused kernel: PyTorch's {@code torch.optim.AdamW}, one pass over the
 * weights, the gradient and the two moments ({@link Optimizers#adamW}). DJL's own {@code Optimizer.adamW()} on
 * its PyTorch engine runs the same update as a chain of tensor operations on a copy of the gradient.
 *
 * <p>Defaults as DJL's and PyTorch's: learning rate 1e-3, β1 0.9, β2 0.999, ε 1e-8, weight decay 0.01.
 * One difference from DJL's formula: DJL adds ε to {@code √v} before the bias correction
 * ({@code η·√(1−β2^t)/(1−β1^t) · m/(√v + ε)}), PyTorch and simdreg after it
 * ({@code η/(1−β1^t) · m/(√v/√(1−β2^t) + ε)}); they differ where {@code √v} is near ε.
 */
public final class SimdregAdamW extends SimdregOptimizer {

    private final double beta1;
    private final double beta2;
    private final double epsilon;

    private SimdregAdamW(Builder builder) {
        super(builder);
        // checks the settings now rather than at the first step
        new AdamW(1e-3, builder.beta1, builder.beta2, builder.epsilon, getWeightDecay());
        this.beta1 = builder.beta1;
        this.beta2 = builder.beta2;
        this.epsilon = builder.epsilon;
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected int stateBuffers() {
        return 2;
    }

    @Override
    protected void step(int step, boolean first, double learningRate, MemorySegment weight, MemorySegment gradient,
                        MemorySegment[] state) {
        Optimizers.adamW(new AdamW(learningRate, beta1, beta2, epsilon, getWeightDecay()), step, weight, gradient,
                state[0], state[1]);
    }

    /** Settings of {@link SimdregAdamW}; β and ε are doubles, as PyTorch's, and rounded once in the kernel. */
    public static final class Builder extends SimdregOptimizer.Builder<Builder> {

        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;

        private Builder() {
            super(1e-3f);
            optWeightDecays(0.01f);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** The decay of the first moment, in [0, 1). */
        public Builder optBeta1(double beta1) {
            this.beta1 = beta1;
            return this;
        }

        /** The decay of the second moment, in [0, 1). */
        public Builder optBeta2(double beta2) {
            this.beta2 = beta2;
            return this;
        }

        /** ε, added to the bias-corrected {@code √v}; {@code > 0}. */
        public Builder optEpsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        public SimdregAdamW build() {
            return new SimdregAdamW(this);
        }
    }
}
