package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of Polyak averaging, over elements {@code [from, from + n)}. Arguments are valid; avg and theta do not
 * overlap.
 */
public interface AveragingKernels {

    /** {@code avg[i] += (theta[i] - avg[i]) * inverseCount}. */
    void linearAverage(MemorySegment avg, MemorySegment theta, int from, int n, float inverseCount);

    /** {@code avg[i] = decay * avg[i] + (1 - decay) * theta[i]}. */
    void exponentialAverage(MemorySegment avg, MemorySegment theta, int from, int n, float decay);
}
