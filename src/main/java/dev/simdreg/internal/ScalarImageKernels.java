package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/** Scalar image kernels; the static methods are also the vector kernels' tails. */
public final class ScalarImageKernels implements ImageKernels {

    @Override
    public void bytesToFloats(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts, int period,
                              int phase, MemorySegment out, long outFrom) {
        bytesToFloatsRange(src, srcFrom, n, scales, shifts, period, phase, out, outFrom);
    }

    public static void bytesToFloatsRange(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts,
                                          int period, int phase, MemorySegment out, long outFrom) {
        int j = phase;
        for (int k = 0; k < n; k++) {
            set(out, outFrom + k, Math.fma(unsigned(src, srcFrom + k), scales[j], shifts[j]));
            if (++j == period) {
                j = 0;
            }
        }
    }

    @Override
    public void bytesToPlanes(MemorySegment src, long srcFrom, int pixels, int channels, float[] scales,
                              float[] shifts, MemorySegment out, long outFrom, long plane) {
        for (int c = 0; c < channels; c++) {
            planeRange(src, srcFrom, 0, pixels, channels, c, scales[c], shifts[c], out, outFrom + c * plane);
        }
    }

    /** Pixels {@code [first, pixels)} of channel c into the plane at {@code at}. */
    public static void planeRange(MemorySegment src, long srcFrom, int first, int pixels, int channels, int c,
                                  float scale, float shift, MemorySegment out, long at) {
        for (int k = 0, count = pixels - first; k < count; k++) {
            long p = first + k;
            set(out, at + p, Math.fma(unsigned(src, srcFrom + p * channels + c), scale, shift));
        }
    }

    private static float unsigned(MemorySegment s, long i) {
        return s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
    }

    @Override
    public void reverseRows(MemorySegment x, MemorySegment out, long from, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * width;
            reverseRange(x, out, row, 0, width);
        }
    }

    /** Out of place, elements {@code [from, to)} of the reversed row: {@code out[row + p] = x[row + width − 1 − p]}. */
    public static void reverseInto(MemorySegment x, MemorySegment out, long row, int width, int from, int to) {
        for (int k = 0, count = to - from; k < count; k++) {
            long p = from + k;
            set(out, row + p, get(x, row + width - 1 - p));
        }
    }

    /** Elements {@code [left, right)} of the row at {@code row} mirrored within it, pairwise, so in place too. */
    public static void reverseRange(MemorySegment x, MemorySegment out, long row, int left, int right) {
        for (int k = 0, pairs = (right - left + 1) / 2; k < pairs; k++) {
            long i = row + left + k, j = row + right - 1 - k;
            float a = get(x, i), b = get(x, j);
            set(out, i, b);
            set(out, j, a);
        }
    }

    /** Out of place, pixel by pixel in output order; in place, pairs of pixels from both ends swapped. */
    @Override
    public void reversePixels(MemorySegment x, MemorySegment out, long from, int rows, int width, int channels) {
        boolean inPlace = x.equals(out);
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * width * channels;
            if (!inPlace) {
                // one flat loop over the row's floats: a loop per pixel of C = 3 cost more than its body
                long source = row + (long) (width - 1) * channels;
                for (int k = 0, c = 0, count = width * channels; k < count; k++) {
                    set(out, row + k, get(x, source + c));
                    if (++c == channels) {
                        c = 0;
                        source -= channels;
                    }
                }
                continue;
            }
            for (int k = 0, pairs = width / 2; k < pairs; k++) {
                long i = row + (long) k * channels, j = row + (long) (width - 1 - k) * channels;
                for (int c = 0; c < channels; c++) {
                    float a = get(x, i + c), b = get(x, j + c);
                    set(out, i + c, b);
                    set(out, j + c, a);
                }
            }
        }
    }

    /**
     * Out of place, floats {@code [from, to)} of a row of width pixels of C floats reversed by pixel: float o of
     * out is float {@code (width − 1 − o / C)·C + o mod C} of x's row.
     */
    public static void reversePixelRange(MemorySegment x, MemorySegment out, long row, int width, int channels,
                                         int from, int to) {
        for (int k = 0, count = to - from; k < count; k++) {
            int o = from + k;
            set(out, row + o, get(x, row + (long) (width - 1 - o / channels) * channels + o % channels));
        }
    }

    @Override
    public void swapRanges(MemorySegment x, MemorySegment out, long a, long b, int n) {
        swapRange(x, out, a, b, 0, n);
    }

    public static void swapRange(MemorySegment x, MemorySegment out, long a, long b, int first, int n) {
        for (int k = 0, count = n - first; k < count; k++) {
            long i = a + first + k, j = b + first + k;
            float u = get(x, i), v = get(x, j);
            set(out, i, v);
            set(out, j, u);
        }
    }

    @Override
    public void addPeriodic(MemorySegment x, MemorySegment out, long from, int n, float[] shifts, int period,
                            int phase) {
        addPeriodicRange(x, out, from, n, shifts, period, phase);
    }

    public static void addPeriodicRange(MemorySegment x, MemorySegment out, long from, int n, float[] shifts,
                                        int period, int phase) {
        int j = phase;
        for (int k = 0; k < n; k++) {
            set(out, from + k, get(x, from + k) + shifts[j]);
            if (++j == period) {
                j = 0;
            }
        }
    }
}
