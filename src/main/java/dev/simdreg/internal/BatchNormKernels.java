package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of batch normalization, over the values of each channel in a {@link ChannelLayout}. Arguments
 * are valid; per-channel arrays have C elements. Reductions are returned in float64.
 * <p>
 * Every provider takes the sums in one order, so they have the same bits everywhere. The moments are shifted
 * sums {@code Σ (x − K)} and {@code Σ (x − K)²}, K the float mean of a channel's first {@link #PILOT_ROWS}
 * rows (interleaved) or values of its first run (planar; the first value of runs shorter than
 * {@link ColumnWindows#RUN}). Interleaved, a channel's terms are added in float
 * row after row ({@code fma(d, d, q)} for the squares) over blocks of {@link #ROW_BLOCK} rows, rows of fewer
 * than 16 channels into several partial sums per channel ({@link ShortRows}); planar, each
 * run's blocks of {@link #RUN_BLOCK} values in {@link SumOrder}'s order, runs shorter than
 * {@link ColumnWindows#RUN} as columns of the examples' rows ({@link ColumnWindows}); blocks are added in
 * float64. The gradient sums take the same orders with {@code dy'} and {@code dy'·(x − center)}.
 */
public interface BatchNormKernels {

    /** Rows of an interleaved layout per block of a float sum. */
    int ROW_BLOCK = 256;
    /** Values of a planar run per block of a float sum. */
    int RUN_BLOCK = 4096;
    /** Rows (interleaved) or values (planar) whose mean is the shift K of the moments. */
    int PILOT_ROWS = 16;
    /** The cancellation, {@code n·(mean − K)²/M2}, beyond which the moments are recomputed exactly. */
    double SHIFT_TOLERANCE = 16;

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
