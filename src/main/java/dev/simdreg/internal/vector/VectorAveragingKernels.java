package dev.simdreg.internal.vector;

import dev.simdreg.internal.AveragingKernels;
import dev.simdreg.internal.ScalarAveragingKernels;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.nonNegative;
import static dev.simdreg.internal.vector.Species.splat;

/** Vector Polyak-averaging kernels, operation for operation the scalar ones. */
final class VectorAveragingKernels implements AveragingKernels {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());

    @Override
    public void linearAverage(MemorySegment avg, MemorySegment theta, int from, int n, float inverseCount) {
        int i = nonNegative(from);
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            FloatVector a = KIND.load(avg, i);
            KIND.store(KIND.load(theta, i).sub(a).fma(splat(inverseCount), a), avg, i);
        }
        ScalarAveragingKernels.linearAverageRange(avg, theta, i, from + n, inverseCount);
    }

    @Override
    public void exponentialAverage(MemorySegment avg, MemorySegment theta, int from, int n, float decay) {
        float complement = 1f - decay;
        int i = nonNegative(from);
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            KIND.store(KIND.load(avg, i).fma(splat(decay), KIND.load(theta, i).mul(complement)), avg, i);
        }
        ScalarAveragingKernels.exponentialAverageRange(avg, theta, i, from + n, decay);
    }
}
