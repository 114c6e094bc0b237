package dev.simdreg.internal.vector;

import dev.simdreg.internal.Kernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;

/** The Vector API kernels; the only package that touches jdk.incubator.vector. */
public final class VectorProvider {

    private VectorProvider() {
    }

    /** The vector kernels at the chosen width (the preferred one when the scalar provider was chosen). */
    public static Kernels kernels() {
        return new Kernels("vector", Species.FLOATS.vectorBitSize(), new VectorPenaltyKernels(),
                new VectorOptimizerKernels(), new VectorAveragingKernels(), new VectorBatchNormKernels(),
                new VectorRandomKernels(), new VectorDropoutKernels(), new VectorImageKernels());
    }

    public static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    public static int maxBits() {
        return VectorShape.preferredShape().vectorBitSize();
    }
}
