package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of batch normalization, over the values of each channel in a {@link ChannelLayout}. Arguments
 * are valid; per-channel arrays have C elements. Reductions are returned in float64.
 */
public interface BatchNormKernels {

    /** Per channel: {@code mean[c]} and {@code m2[c] = Σ (x − mean[c])²} of its values. */
    void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2);

    /** {@code y = f((x − center)·scale + shift)} per channel, by {@link ChannelAffine}; y may be x. */
    void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine affine);

    /**
     * Per channel: {@code sumDy[c] = Σ dy'} and {@code sumDyCentered[c] = Σ dy'·(x − center[c])}, where
     * {@code dy'} is dy with the ReLU's gradient applied when {@code affine.relu()}: 0 where the forward
     * value before the ReLU was {@code <= 0}, as PyTorch's {@code threshold_backward}. When dx is not null,
     * also {@code dx = dy'·dyScale} (one rounding, as {@code fma(dy', dyScale, 0)}) in the same pass: inference
     * backward, whose dx does not depend on the sums. dx may be x or dy.
     */
    void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine affine,
                      double[] sumDy, double[] sumDyCentered, MemorySegment dx, float[] dyScale);

    /**
     * {@code dx = (x − center)·xScale + (dy'·dyScale + bias)} per channel, two fused multiply-adds, dy'
     * as in {@link #gradientSums}; dx may be x or dy.
     */
    void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx, ChannelAffine affine,
                       float[] dyScale, float[] xScale, float[] bias);
}
