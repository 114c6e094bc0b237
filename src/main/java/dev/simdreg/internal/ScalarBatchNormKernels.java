package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/**
 * Scalar batch-norm kernels: sums in float64 (free for scalar code), two passes for the moments. The
 * static element and range methods are also the vector kernels' tails, so those elements get the same
 * bits on both paths.
 */
public final class ScalarBatchNormKernels implements BatchNormKernels {

    /** The forward map of one value. */
    public static float normalized(float x, float center, float scale, float shift, boolean relu) {
        float y = Math.fma(x - center, scale, shift);
        return relu ? Math.max(y, 0f) : y;
    }

    /** dy with the ReLU's gradient applied: 0 where the forward value before the ReLU was {@code <= 0}. */
    public static float gated(float dy, float x, float center, float scale, float shift, boolean relu) {
        return relu && Math.fma(x - center, scale, shift) <= 0 ? 0f : dy;
    }

    /** {@code y = f((x − center)·scale + shift)} for elements {@code [from, to)} of one run of channel c. */
    public static void normalizeRange(MemorySegment x, MemorySegment y, long from, long to, float center, float scale,
                                      float shift, boolean relu) {
        for (int k = 0, count = (int) (to - from); k < count; k++) {
            long i = from + k;
            set(y, i, normalized(get(x, i), center, scale, shift, relu));
        }
    }

    /** {@link #normalizeRange} for channels {@code [c0, C)} of one interleaved row. */
    public static void normalizeChannels(MemorySegment x, MemorySegment y, long rowStart, int c0, int channels,
                                         ChannelAffine a) {
        for (int c = c0; c < channels; c++) {
            set(y, rowStart + c, normalized(get(x, rowStart + c), a.center()[c], a.scale()[c], a.shift()[c], a.relu()));
        }
    }

    /** The input gradient of one value. */
    public static float inputGradient(float x, float dy, float center, float scale, float shift, boolean relu,
                                      float dyScale, float xScale, float bias) {
        return Math.fma(x - center, xScale, Math.fma(gated(dy, x, center, scale, shift, relu), dyScale, bias));
    }

    public static void inputGradientRange(MemorySegment x, MemorySegment dy, MemorySegment dx, long from, long to,
                                          int c, ChannelAffine a, float[] dyScale, float[] xScale, float[] bias) {
        for (int k = 0, count = (int) (to - from); k < count; k++) {
            long i = from + k;
            set(dx, i, inputGradient(get(x, i), get(dy, i), a.center()[c], a.scale()[c], a.shift()[c], a.relu(),
                    dyScale[c], xScale[c], bias[c]));
        }
    }

    public static void inputGradientChannels(MemorySegment x, MemorySegment dy, MemorySegment dx, long rowStart, int c0,
                                             int channels, ChannelAffine a, float[] dyScale, float[] xScale,
                                             float[] bias) {
        for (int c = c0; c < channels; c++) {
            long i = rowStart + c;
            set(dx, i, inputGradient(get(x, i), get(dy, i), a.center()[c], a.scale()[c], a.shift()[c], a.relu(),
                    dyScale[c], xScale[c], bias[c]));
        }
    }

    /**
     * Two passes in float64 over channels {@code [c0, channels)} of layout: the mean, then the squared
     * deviations from it. Also the vector kernels' path for the channels left over after their vector
     * columns, and their exact fallback.
     */
    public static void momentsOfChannels(ChannelLayout layout, MemorySegment x, int c0, int channels, double[] mean,
                                         double[] m2) {
        Arrays.fill(mean, c0, channels, 0);
        Arrays.fill(m2, c0, channels, 0);
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = c0; c < channels; c++) {
                long start = layout.runStart(o, c);
                double sum = 0;
                for (int k = 0, inner = layout.inner(); k < inner; k++) {
                    long i = start + k;
                    sum += get(x, i);
                }
                mean[c] += sum;
            }
        }
        double count = layout.count();
        for (int c = c0; c < channels; c++) {
            mean[c] /= count;
        }
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = c0; c < channels; c++) {
                long start = layout.runStart(o, c);
                double squares = 0;
                for (int k = 0, inner = layout.inner(); k < inner; k++) {
                    long i = start + k;
                    double d = get(x, i) - mean[c];
                    squares += d * d;
                }
                m2[c] += squares;
            }
        }
    }

    /** The gradient sums of channels {@code [c0, C)} in float64, and dx when given, as {@link #gradientSums}. */
    public static void gradientSumsOfChannels(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                              int c0, double[] sumDy, double[] sumDyCentered, MemorySegment dx,
                                              float[] dyScale) {
        int channels = layout.channels();
        Arrays.fill(sumDy, c0, channels, 0);
        Arrays.fill(sumDyCentered, c0, channels, 0);
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = c0; c < channels; c++) {
                long start = layout.runStart(o, c);
                float center = a.center()[c];
                double s = 0;
                double sc = 0;
                for (int k = 0, inner = layout.inner(); k < inner; k++) {
                    long i = start + k;
                    float xi = get(x, i);
                    float g = gated(get(dy, i), xi, center, a.scale()[c], a.shift()[c], a.relu());
                    s += g;
                    sc += (double) g * (xi - center);
                    if (dx != null) {
                        set(dx, i, scaledGradient(g, dyScale[c]));
                    }
                }
                sumDy[c] += s;
                sumDyCentered[c] += sc;
            }
        }
    }

    /** dx of inference backward from dy': {@code dy'·dyScale}, as {@code fma(dy', dyScale, 0)}. */
    public static float scaledGradient(float gatedDy, float dyScale) {
        return Math.fma(gatedDy, dyScale, 0f);
    }

    @Override
    public void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
        momentsOfChannels(layout, x, 0, layout.channels(), mean, m2);
    }

    @Override
    public void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a) {
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = 0; c < layout.channels(); c++) {
                long start = layout.runStart(o, c);
                normalizeRange(x, y, start, start + layout.inner(), a.center()[c], a.scale()[c], a.shift()[c],
                        a.relu());
            }
        }
    }

    @Override
    public void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine affine,
                             double[] sumDy, double[] sumDyCentered, MemorySegment dx, float[] dyScale) {
        gradientSumsOfChannels(layout, x, dy, affine, 0, sumDy, sumDyCentered, dx, dyScale);
    }

    @Override
    public void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                              ChannelAffine affine, float[] dyScale, float[] xScale, float[] bias) {
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = 0; c < layout.channels(); c++) {
                long start = layout.runStart(o, c);
                inputGradientRange(x, dy, dx, start, start + layout.inner(), c, affine, dyScale, xScale, bias);
            }
        }
    }
}
