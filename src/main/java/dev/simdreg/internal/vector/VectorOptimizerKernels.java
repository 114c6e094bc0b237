package dev.simdreg.internal.vector;

import dev.simdreg.internal.OptimizerKernels;
import dev.simdreg.internal.ScalarOptimizerKernels;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.nonNegative;
import static dev.simdreg.internal.vector.Species.splat;

/**
 * Vector optimizer kernels: each reads every buffer once and writes each output once. The operations
 * are the scalar kernels', fma for fma, so both providers give the same bits.
 */
final class VectorOptimizerKernels implements OptimizerKernels {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());

    @Override
    public void sgd(MemorySegment w, MemorySegment g, int from, int n, float learningRate, float weightDecay) {
        int i = nonNegative(from);
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            FloatVector wv = KIND.load(w, i);
            FloatVector d = wv.fma(splat(weightDecay), KIND.load(g, i));
            KIND.store(d.fma(splat(-learningRate), wv), w, i);
        }
        ScalarOptimizerKernels.sgdRange(w, g, i, from + n, learningRate, weightDecay);
    }

    @Override
    public void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment buf, int from, int n,
                            float learningRate, float weightDecay, float momentum, float dampingFactor,
                            boolean nesterov, boolean firstStep) {
        int i = nonNegative(from);
        // The two flags are loop invariants: C2 unswitches the loop on them.
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            FloatVector wv = KIND.load(w, i);
            FloatVector d = wv.fma(splat(weightDecay), KIND.load(g, i));
            FloatVector b = firstStep ? d : d.fma(splat(dampingFactor), KIND.load(buf, i).mul(momentum));
            FloatVector u = nesterov ? b.fma(splat(momentum), d) : b;
            KIND.store(b, buf, i);
            KIND.store(u.fma(splat(-learningRate), wv), w, i);
        }
        ScalarOptimizerKernels.sgdMomentumRange(w, g, buf, i, from + n, learningRate, weightDecay, momentum,
                dampingFactor, nesterov, firstStep);
    }

    @Override
    public void adamW(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, int from, int n,
                      AdamWStep step) {
        float beta1Complement = step.beta1Complement();
        float beta2Complement = step.beta2Complement();
        float inverseBias2Sqrt = step.inverseBias2Sqrt();
        float eps = step.eps();
        float negativeStepSize = -step.stepSize();
        float beta2 = step.beta2();
        float decayFactor = step.decayFactor();
        int i = nonNegative(from);
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            FloatVector gv = KIND.load(g, i);
            FloatVector mOld = KIND.load(m, i);
            FloatVector mv = gv.sub(mOld).fma(splat(beta1Complement), mOld);
            FloatVector vv = gv.mul(beta2Complement).fma(gv, KIND.load(v, i).mul(beta2));
            FloatVector denominator = vv.sqrt().fma(inverseBias2Sqrt, eps);
            KIND.store(mv, m, i);
            KIND.store(vv, v, i);
            KIND.store(mv.div(denominator).fma(splat(negativeStepSize), KIND.load(w, i).mul(decayFactor)), w, i);
        }
        ScalarOptimizerKernels.adamWRange(w, g, m, v, i, from + n, step);
    }
}
