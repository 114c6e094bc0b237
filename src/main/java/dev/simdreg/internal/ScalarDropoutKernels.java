package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/** Scalar dropout kernels; the static methods are also the vector kernels' tails. */
public final class ScalarDropoutKernels implements DropoutKernels {

    @Override
    public void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float scale) {
        applyRange(x, y, from, 0, n, bits, scale);
    }

    /** Elements {@code [first, n)} of {@link #applyMask(MemorySegment, MemorySegment, long, int, long[], float)}. */
    public static void applyRange(MemorySegment x, MemorySegment y, long from, int first, int n, long[] bits,
                                  float scale) {
        for (int j = 0, count = n - first; j < count; j++) {
            int k = first + j;
            long i = from + k;
            set(y, i, kept(bits[k >>> 6], k, get(x, i), scale));
        }
    }

    @Override
    public void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float[] scales, int period,
                          int phase) {
        for (int done = 0; done < n; done += 64) {
            int column = (int) ((phase + (long) done) % period);
            applyGroup(x, y, from + done, Math.min(64, n - done), bits[done >>> 6], scales, column);
        }
    }

    /** One group of up to 64 elements from {@code at}; element e has the scale at {@code column + e}. */
    public static void applyGroup(MemorySegment x, MemorySegment y, long at, int count, long bits, float[] scales,
                                  int column) {
        for (int e = 0; e < count; e++) {
            long i = at + e;
            set(y, i, kept(bits, e, get(x, i), scales[column + e]));
        }
    }

    /** v·scale when bit e of bits (mod 64) is set, else +0; without a branch, which random bits mispredict. */
    public static float kept(long bits, int e, float v, float scale) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(v * scale) & -(int) (bits >>> e & 1));
    }

    @Override
    public void scale(MemorySegment x, MemorySegment y, long from, int n, float factor) {
        scaleRange(x, y, from, n, factor);
    }

    public static void scaleRange(MemorySegment x, MemorySegment y, long from, int n, float factor) {
        for (int k = 0; k < n; k++) {
            long i = from + k;
            set(y, i, get(x, i) * factor);
        }
    }

    @Override
    public void scaleColumns(MemorySegment w, MemorySegment out, long firstRow, int rows, int cols, float[] factors) {
        for (int r = 0; r < rows; r++) {
            scaleRowRange(w, out, (firstRow + r) * cols, 0, cols, factors);
        }
    }

    /** Columns {@code [from, cols)} of the row that starts at element {@code row}. */
    public static void scaleRowRange(MemorySegment w, MemorySegment out, long row, int from, int cols, float[] factors) {
        for (int k = 0, count = cols - from; k < count; k++) {
            int c = from + k;
            set(out, row + c, get(w, row + c) * factors[c]);
        }
    }
}
