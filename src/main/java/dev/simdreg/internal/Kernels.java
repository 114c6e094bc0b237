package dev.simdreg.internal;

import java.util.Objects;

/**
 * One provider's kernels, a family each. A record, so that C2 trusts its final fields: through the
 * static final {@link Providers#KERNELS} every call site sees one constant implementation.
 */
public record Kernels(String name, int vectorBits, PenaltyKernels penalties, OptimizerKernels optimizers,
                      AveragingKernels averaging, BatchNormKernels batchNorm, RandomKernels random,
                      DropoutKernels dropout, ImageKernels images) {

    public Kernels {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(penalties, "penalties");
        Objects.requireNonNull(optimizers, "optimizers");
        Objects.requireNonNull(averaging, "averaging");
        Objects.requireNonNull(batchNorm, "batchNorm");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(dropout, "dropout");
        Objects.requireNonNull(images, "images");
    }

    /** The scalar kernels, available on every JVM. */
    public static Kernels scalar() {
        return new Kernels("scalar", 0, new ScalarPenaltyKernels(), new ScalarOptimizerKernels(),
                new ScalarAveragingKernels(), new ScalarBatchNormKernels(), new ScalarRandomKernels(),
                new ScalarDropoutKernels(), new ScalarImageKernels());
    }
}
