package dev.simdreg.internal.vector;

import dev.simdreg.internal.ImageKernels;
import dev.simdreg.internal.ScalarImageKernels;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.INTS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.ORDER;
import static dev.simdreg.internal.vector.Species.load;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.store;

/**
 * Vector image kernels. Bytes widen to int lanes with {@code ZERO_EXTEND_B2I} (vpmovzxbd), and
 * interleaved channels split into planes by a byte shuffle over a whole register (vpermb): a register
 * of 4·LANES bytes holds LANES pixels of up to 4 channels.
 */
final class VectorImageKernels implements ImageKernels {

    /** LANES bytes, or 8 when that is below the smallest byte vector (128-bit floats). */
    private static final VectorSpecies<Byte> NARROW_BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * Byte.SIZE)));
    private static final VectorSpecies<Byte> WIDE_BYTES = VectorSpecies.of(byte.class, FLOATS.vectorShape());
    /** The most channels a wide byte register splits: LANES pixels of 4 bytes fill it. */
    private static final int MAX_SHUFFLED_CHANNELS = 4;
    private static final VectorShuffle<Float> REVERSE = VectorShuffle.iota(FLOATS, LANES - 1, -1, true);
    private static final ScalarImageKernels SCALAR = new ScalarImageKernels();
    /** {@code SPLITS[C − 1][c]} moves channel c of LANES pixels of C channels to the low lanes. */
    private static final VectorShuffle<Byte>[][] SPLITS = splits();

    @Override
    public void bytesToFloats(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts, int period,
                              int phase, MemorySegment out, long outFrom) {
        int j = phase;
        int k = 0;
        for (int end = n - NARROW_BYTES.length(); k <= end; k += LANES) {
            FloatVector v = widened(ByteVector.fromMemorySegment(NARROW_BYTES, src, srcFrom + k, ORDER));
            store(v.fma(FloatVector.fromArray(FLOATS, scales, j), FloatVector.fromArray(FLOATS, shifts, j)), out,
                    outFrom + k);
            j += LANES;
            if (j >= period) {
                j -= period;
            }
        }
        ScalarImageKernels.bytesToFloatsRange(src, srcFrom + k, n - k, scales, shifts, period, j, out, outFrom + k);
    }

    @Override
    public void bytesToPlanes(MemorySegment src, long srcFrom, int pixels, int channels, float[] scales,
                              float[] shifts, MemorySegment out, long outFrom, long plane) {
        // a register load reads WIDE_BYTES bytes from pixel p: it must end inside the call's pixels
        int whole = channels > MAX_SHUFFLED_CHANNELS ? 0
                : (int) Math.max(0, ((long) pixels * channels - WIDE_BYTES.length()) / channels + 1);
        for (int c = 0; c < channels; c++) {
            long at = outFrom + c * plane;
            int p = 0;
            if (whole >= LANES) {
                VectorShuffle<Byte> split = SPLITS[channels - 1][c];
                FloatVector scale = FloatVector.broadcast(FLOATS, scales[c]);
                FloatVector shift = FloatVector.broadcast(FLOATS, shifts[c]);
                for (int end = whole - LANES; p <= end; p += LANES) {
                    ByteVector bytes = ByteVector.fromMemorySegment(WIDE_BYTES, src, srcFrom + (long) p * channels, ORDER);
                    store(widened(bytes.rearrange(split)).fma(scale, shift), out, at + p);
                }
            }
            ScalarImageKernels.planeRange(src, srcFrom, p, pixels, channels, c, scales[c], shifts[c], out, at);
        }
    }

    /**
     * Out of place, each row read in order, its blocks reversed and stored back from the row's end (reading
     * from the end instead ran 1.3 times slower from memory, measured), the first output elements one by
     * one; in place, blocks from both ends swapped and the middle pairwise.
     */
    @Override
    public void reverseRows(MemorySegment x, MemorySegment out, long from, int rows, int width) {
        if (x.equals(out)) {
            reverseRowsInPlace(x, from, rows, width);
            return;
        }
        int blocks = width / LANES * LANES;
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * width, last = row + width - LANES;
            for (int k = 0; k < blocks; k += LANES) {
                store(load(x, row + k).rearrange(REVERSE), out, last - k);
            }
            ScalarImageKernels.reverseInto(x, out, row, width, 0, width - blocks);
        }
    }

    private static void reverseRowsInPlace(MemorySegment x, long from, int rows, int width) {
        int blocks = width / (2 * LANES) * LANES;
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * width, last = row + width - LANES;
            for (int k = 0; k < blocks; k += LANES) {
                FloatVector head = load(x, row + k), tail = load(x, last - k);
                store(tail.rearrange(REVERSE), x, row + k);
                store(head.rearrange(REVERSE), x, last - k);
            }
            ScalarImageKernels.reverseRange(x, x, row, blocks, width - blocks);
        }
    }

    /** One float per pixel is a row reversal; more, pixel by pixel. */
    @Override
    public void reversePixels(MemorySegment x, MemorySegment out, long from, int rows, int width, int channels) {
        if (channels == 1) {
            reverseRows(x, out, from, rows, width);
        } else {
            SCALAR.reversePixels(x, out, from, rows, width, channels);
        }
    }

    @Override
    public void swapRanges(MemorySegment x, MemorySegment out, long a, long b, int n) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            FloatVector u = load(x, a + k), v = load(x, b + k);
            store(v, out, a + k);
            store(u, out, b + k);
        }
        ScalarImageKernels.swapRange(x, out, a, b, k, n);
    }

    /** The low LANES bytes as unsigned values in float lanes. */
    private static FloatVector widened(ByteVector bytes) {
        return (FloatVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, 0)
                .convert(VectorOperators.I2F, 0);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Byte>[][] splits() {
        VectorShuffle<Byte>[][] splits = new VectorShuffle[MAX_SHUFFLED_CHANNELS][];
        for (int channels = 1; channels <= MAX_SHUFFLED_CHANNELS; channels++) {
            splits[channels - 1] = new VectorShuffle[channels];
            for (int c = 0; c < channels; c++) {
                int[] lanes = new int[WIDE_BYTES.length()];
                for (int i = 0; i < lanes.length; i++) {
                    lanes[i] = i < LANES ? channels * i + c : i;
                }
                splits[channels - 1][c] = VectorShuffle.fromArray(WIDE_BYTES, lanes, 0);
            }
        }
        return splits;
    }
}
