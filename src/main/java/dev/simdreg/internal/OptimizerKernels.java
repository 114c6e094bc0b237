package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of the fused parameter updates, over elements {@code [from, from + n)} of every buffer (a part of a split
 * call takes its range, no slice). Arguments are valid; buffers do not overlap.
 */
public interface OptimizerKernels {

    /** Plain SGD with L2 weight decay: {@code w -= learningRate * (g + weightDecay * w)}. */
    void sgd(MemorySegment w, MemorySegment g, int from, int n, float learningRate, float weightDecay);

    /**
     * SGD with momentum, PyTorch order: {@code d = g + weightDecay * w};
     * {@code buf = firstStep ? d : momentum * buf + dampingFactor * d};
     * {@code u = nesterov ? d + momentum * buf : buf}; {@code w -= learningRate * u}.
     */
    void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment buf, int from, int n, float learningRate,
                     float weightDecay, float momentum, float dampingFactor, boolean nesterov, boolean firstStep);

    /** AdamW with decoupled decay and bias correction folded into {@code step}. */
    void adamW(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, int from, int n, AdamWStep step);

    /**
     * The per-call scalars of one AdamW step, computed once in double by the facade.
     *
     * @param decayFactor        {@code 1 - lr * weightDecay}
     * @param beta1Complement    {@code 1 - beta1}, the weight of the new gradient in m
     * @param beta2              the decay of v
     * @param beta2Complement    {@code 1 - beta2}
     * @param stepSize           {@code lr / (1 - beta1^t)}
     * @param inverseBias2Sqrt   {@code 1 / sqrt(1 - beta2^t)}
     * @param eps                added to the denominator after bias correction
     */
    record AdamWStep(float decayFactor, float beta1Complement, float beta2, float beta2Complement,
                     float stepSize, float inverseBias2Sqrt, float eps) {
    }
}
