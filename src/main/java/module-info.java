/**
 * SIMD kernels for the regularization and training heuristics of deep learning.
 *
 * <p>The Vector API is optional: without {@code --add-modules jdk.incubator.vector} every kernel
 * runs on the scalar fallback, with the same results, only slower. {@link dev.simdreg.Simdreg#provider()}
 * says which one is active.
 */
module dev.simdreg {
    requires static jdk.incubator.vector;
    requires static jdk.management;

    exports dev.simdreg;
}
