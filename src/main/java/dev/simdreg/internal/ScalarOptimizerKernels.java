package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/**
 * Scalar optimizer kernels, in PyTorch's operation order. The static range methods are also the vector
 * kernels' tails, and the vector kernels apply the same fused multiply-adds, so both give the same bits.
 */
public final class ScalarOptimizerKernels implements OptimizerKernels {

    public static void sgdRange(MemorySegment w, MemorySegment g, int from, int to, float learningRate,
                           float weightDecay) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            float wi = get(w, i);
            float d = Math.fma(weightDecay, wi, get(g, i));
            set(w, i, Math.fma(-learningRate, d, wi));
        }
    }

    public static void sgdMomentumRange(MemorySegment w, MemorySegment g, MemorySegment buf, int from, int to,
                                   float learningRate, float weightDecay, float momentum, float dampingFactor,
                                   boolean nesterov, boolean firstStep) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            float wi = get(w, i);
            float d = Math.fma(weightDecay, wi, get(g, i));
            // PyTorch's buf.mul_(momentum).add_(d, alpha=1 - dampening); the first step copies d.
            float b = firstStep ? d : Math.fma(dampingFactor, d, momentum * get(buf, i));
            float u = nesterov ? Math.fma(momentum, b, d) : b;
            set(buf, i, b);
            set(w, i, Math.fma(-learningRate, u, wi));
        }
    }

    public static void adamWRange(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, int from, int to,
                             AdamWStep step) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            float gi = get(g, i);
            float mOld = get(m, i);
            // PyTorch's m.lerp_(g, 1 - beta1) and v.mul_(beta2).addcmul_(g, g, value=1 - beta2).
            float mi = Math.fma(step.beta1Complement(), gi - mOld, mOld);
            float vi = Math.fma(step.beta2Complement() * gi, gi, step.beta2() * get(v, i));
            float denominator = Math.fma((float) Math.sqrt(vi), step.inverseBias2Sqrt(), step.eps());
            set(m, i, mi);
            set(v, i, vi);
            set(w, i, Math.fma(-step.stepSize(), mi / denominator, get(w, i) * step.decayFactor()));
        }
    }

    @Override
    public void sgd(MemorySegment w, MemorySegment g, int from, int n, float learningRate, float weightDecay) {
        sgdRange(w, g, from, from + n, learningRate, weightDecay);
    }

    @Override
    public void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment buf, int from, int n,
                            float learningRate,
                            float weightDecay, float momentum, float dampingFactor, boolean nesterov,
                            boolean firstStep) {
        sgdMomentumRange(w, g, buf, from, from + n, learningRate, weightDecay, momentum, dampingFactor, nesterov,
                firstStep);
    }

    @Override
    public void adamW(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, int from, int n,
                      AdamWStep step) {
        adamWRange(w, g, m, v, from, from + n, step);
    }
}
