package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/** Kernels of the image augmentations. Arguments are valid; outputs do not overlap inputs. */
public interface ImageKernels {

    /**
     * Bytes to floats in the same order: {@code out[outFrom + k] = fma(u8(src[srcFrom + k]), scales[j], shifts[j])}
     * with {@code j = (phase + k) mod period}, for k in {@code [0, n)}; the coefficient arrays are
     * {@link Periodic} tables of units (channels) per period.
     */
    void bytesToFloats(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts, int units, int period,
                       int phase, MemorySegment out, long outFrom);

    /**
     * Interleaved bytes to planes: pixel p's channel c, byte {@code src[srcFrom + p·channels + c]}, becomes
     * {@code out[outFrom + c·plane + p] = fma(u8(byte), scales[c], shifts[c])}, for p in {@code [0, pixels)}.
     */
    void bytesToPlanes(MemorySegment src, long srcFrom, int pixels, int channels, float[] scales, float[] shifts,
                       MemorySegment out, long outFrom, long plane);

    /** Each of the rows of width floats from element from, reversed: {@code out[r + width − 1 − k] = x[r + k]}; out may be x. */
    void reverseRows(MemorySegment x, MemorySegment out, long from, int rows, int width);

    /**
     * Each of the rows of width pixels of C floats from element from, reversed by pixel with each pixel's channels
     * in order; out may be x.
     */
    void reversePixels(MemorySegment x, MemorySegment out, long from, int rows, int width, int channels);

    /**
     * Out of place, the rows of rowLength floats of each of blocks consecutive blocks of rows each, from element
     * from, in reverse order within their block; {@code blocks·rows·rowLength <= Integer.MAX_VALUE}.
     */
    void reverseRowOrder(MemorySegment x, MemorySegment out, long from, int blocks, int rows, int rowLength);

    /**
     * The rows (at least one) of rowLength floats from element outFrom of out copied from x's floats from xFrom,
     * {@code out[outFrom + k] = x[xFrom + k]}, with zeros in floats {@code [col, col + count)} of each row, the
     * band at the rows' start ({@code col = 0}) or end ({@code col + count = rowLength}); the floats of x behind
     * the band may lie outside x.
     */
    void shiftedRows(MemorySegment x, long xFrom, MemorySegment out, long outFrom, int rows, int rowLength, int col,
                     int count);

    /** {@code out[a + k] = x[b + k]} and {@code out[b + k] = x[a + k]} for k in {@code [0, n)}, the ranges disjoint; out may be x. */
    void swapRanges(MemorySegment x, MemorySegment out, long a, long b, int n);

    /**
     * {@code out[from + k] = x[from + k] + shifts[(phase + k) mod period]} for k in {@code [0, n)}; shifts is a
     * {@link Periodic} table. out may be x.
     */
    void addPeriodic(MemorySegment x, MemorySegment out, long from, int n, float[] shifts, int period, int phase);

    /**
     * One image warped by bilinear sampling: output pixel (row y, column x) of channel c samples x's image at
     * column {@code u = m[0]·x + m[1]·y + m[2]} and row {@code v = m[3]·x + m[4]·y + m[5]} (pixel centres at
     * integers), computed in double. With {@code f = u − floor(u)}, {@code g = v − floor(v)} and the four
     * neighbours, {@code top = fma(f, I01 − I00, I00)}, {@code bottom = fma(f, I11 − I10, I10)} and the value
     * {@code fma(g, bottom − top, top)}, in float; neighbours outside the image are 0, or with edge the nearest
     * pixel of the image. Channels are planes of H·W (planes) or the C floats of each pixel.
     */
    void warp(MemorySegment x, long xFrom, int height, int width, MemorySegment out, long outFrom, int outHeight,
              int outWidth, int channels, boolean planes, double[] m, int mFrom, boolean edge);
}
