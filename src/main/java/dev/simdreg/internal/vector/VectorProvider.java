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
        return new Kernels("vector", Species.FLOATS.vectorBitSize(), new KindDispatch.Penalties(),
                new KindDispatch.Optimizers(), new KindDispatch.Averaging(), new KindDispatch.BatchNorm(),
                new KindDispatch.Random(), new KindDispatch.Dropout(), new KindDispatch.Images());
    }

    public static int preferredBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    public static int maxBits() {
        return VectorShape.preferredShape().vectorBitSize();
    }
}
