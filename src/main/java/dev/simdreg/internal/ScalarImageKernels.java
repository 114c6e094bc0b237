package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/** Scalar image kernels; the static methods are also the vector kernels' tails. */
public final class ScalarImageKernels implements ImageKernels {

    @Override
    public void bytesToFloats(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts, int units,
                              int period, int phase, MemorySegment out, long outFrom) {
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

    /**
     * x's rows in order, each copied to its mirror row: for 896-byte rows of 64 planes of 224 that took 2.2 ms
     * against 2.8 ms reading them in reverse order (1.3 ms for one copy of the whole batch, measured).
     */
    @Override
    public void reverseRowOrder(MemorySegment x, MemorySegment out, long from, int blocks, int rows, int rowLength) {
        long bytes = (long) rowLength * Float.BYTES;
        for (int b = 0; b < blocks; b++) {
            long block = from + (long) b * rows * rowLength;
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(x, (block + (long) r * rowLength) * Float.BYTES, out,
                        (block + (long) (rows - 1 - r) * rowLength) * Float.BYTES, bytes);
            }
        }
    }

    /** One copy of the rows less the band's floats at the two ends, then a fill per row of the band. */
    @Override
    public void shiftedRows(MemorySegment x, long xFrom, MemorySegment out, long outFrom, int rows, int rowLength,
                            int col, int count) {
        copyAroundBand(x, xFrom, out, outFrom, rows, rowLength, col, count);
        if (count > 0) {
            zeroColumns(out, outFrom, rows, rowLength, col, count);
        }
    }

    /** Zeros in floats {@code [col, col + count)} of each of the rows of rowLength floats from element from. */
    public static void zeroColumns(MemorySegment out, long from, int rows, int rowLength, int col, int count) {
        for (int r = 0; r < rows; r++) {
            Floats.zero(out, from + (long) r * rowLength + col, count);
        }
    }

    /**
     * {@link ImageKernels#shiftedRows}' copy without the zeros: one copy of the rows less the band's floats at
     * the range's two ends, the only ones of the band that may lie outside x.
     */
    public static void copyAroundBand(MemorySegment x, long xFrom, MemorySegment out, long outFrom, int rows,
                                      int rowLength, int col, int count) {
        long head = col == 0 ? count : 0, tail = col == 0 ? 0 : count;
        MemorySegment.copy(x, (xFrom + head) * Float.BYTES, out, (outFrom + head) * Float.BYTES,
                ((long) rows * rowLength - head - tail) * Float.BYTES);
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

    /**
     * The source image is first copied to a per-thread array: four samples per value read from the segment
     * cost a bounds and liveness check each, 5 ns per value, against about 2 from the array (measured).
     */
    @Override
    public void warp(MemorySegment x, long xFrom, int height, int width, MemorySegment out, long outFrom,
                     int outHeight, int outWidth, int channels, boolean planes, double[] m, int mFrom, boolean edge) {
        int plane = height * width, size = plane * channels;
        float[] source = WARP_SOURCE.get();
        if (source.length < size) {
            source = new float[size];
            WARP_SOURCE.set(source);
        }
        MemorySegment.copy(x, Floats.LAYOUT, xFrom * Float.BYTES, source, 0, size);
        int channelStep = planes ? plane : 1, pixelStep = planes ? 1 : channels;
        long outChannelStep = planes ? (long) outHeight * outWidth : 1;
        for (int y = 0; y < outHeight; y++) {
            for (int col = 0; col < outWidth; col++) {
                double u = bounded(m[mFrom] * col + m[mFrom + 1] * y + m[mFrom + 2]);
                double v = bounded(m[mFrom + 3] * col + m[mFrom + 4] * y + m[mFrom + 5]);
                double u0 = Math.floor(u), v0 = Math.floor(v);
                float f = (float) (u - u0), g = (float) (v - v0);
                int left = neighbour(u0, width, edge), right = neighbour(u0 + 1, width, edge);
                int top = neighbour(v0, height, edge), bottom = neighbour(v0 + 1, height, edge);
                int i00 = index(top, left, width, pixelStep), i01 = index(top, right, width, pixelStep);
                int i10 = index(bottom, left, width, pixelStep), i11 = index(bottom, right, width, pixelStep);
                long target = outFrom + ((long) y * outWidth + col) * (planes ? 1 : channels);
                for (int c = 0, at = 0; c < channels; c++, at += channelStep) {
                    float a = sample(source, i00, at), b = sample(source, i01, at);
                    float d = sample(source, i10, at), e = sample(source, i11, at);
                    float upper = Math.fma(f, b - a, a), lower = Math.fma(f, e - d, d);
                    set(out, target + c * outChannelStep, Math.fma(g, lower - upper, upper));
                }
            }
        }
    }

    private static final ThreadLocal<float[]> WARP_SOURCE = ThreadLocal.withInitial(() -> new float[0]);

    /** The array index of a pixel, or −1 for one outside the image (zero fill). */
    private static int index(int row, int col, int width, int pixelStep) {
        return row < 0 || col < 0 ? -1 : (row * width + col) * pixelStep;
    }

    private static float sample(float[] source, int pixel, int channel) {
        return pixel < 0 ? 0f : source[pixel + channel];
    }

    /** Coordinates held within ±2^32, far outside any image: an overflow to infinity would make f NaN. */
    private static double bounded(double t) {
        return Math.max(-0x1p32, Math.min(0x1p32, t));
    }

    /** The index of coordinate t along a side of n pixels: clamped with edge fill, else −1 outside. */
    private static int neighbour(double t, int n, boolean edge) {
        if (edge) {
            return (int) Math.min(Math.max(t, 0), n - 1);
        }
        return t >= 0 && t < n ? (int) t : -1;
    }
}
