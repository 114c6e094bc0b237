package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/** Scalar Polyak-averaging kernels; the static range methods are also the vector kernels' tails. */
public final class ScalarAveragingKernels implements AveragingKernels {

    public static void linearAverageRange(MemorySegment avg, MemorySegment theta, int from, int to,
                                          float inverseCount) {
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            float a = get(avg, i);
            set(avg, i, Math.fma(get(theta, i) - a, inverseCount, a));
        }
    }

    public static void exponentialAverageRange(MemorySegment avg, MemorySegment theta, int from, int to, float decay) {
        float complement = 1f - decay;
        for (int k = 0, count = to - from; k < count; k++) {
            long i = from + k;
            set(avg, i, Math.fma(decay, get(avg, i), complement * get(theta, i)));
        }
    }

    @Override
    public void linearAverage(MemorySegment avg, MemorySegment theta, int from, int n, float inverseCount) {
        linearAverageRange(avg, theta, from, from + n, inverseCount);
    }

    @Override
    public void exponentialAverage(MemorySegment avg, MemorySegment theta, int from, int n, float decay) {
        exponentialAverageRange(avg, theta, from, from + n, decay);
    }
}
