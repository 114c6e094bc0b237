package dev.simdreg.internal.vector;

import dev.simdreg.internal.ImageKernels;
import dev.simdreg.internal.ScalarImageKernels;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.INTS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.FloatAccess.NATIVE;
import static dev.simdreg.internal.vector.Species.VECTOR_BYTES;
import static dev.simdreg.internal.vector.Species.loadBytes;
import static dev.simdreg.internal.vector.Species.loopEnd;

/**
 * Vector image kernels. Bytes widen to int lanes with {@code ZERO_EXTEND_B2I} (vpmovzxbd), and
 * interleaved channels split into planes by a byte shuffle over a whole register (vpermb): a register
 * of 4·LANES bytes holds LANES pixels of up to 4 channels.
 */
final class VectorImageKernels implements ImageKernels {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());
    /** The class of the 8-bit sources this copy is for. */
    private static final Class<?> BYTE_KIND = Species.byteKind(MethodHandles.lookup());

    /** Per-thread row for the reversal of tiled pixels, grown to the longest row seen. */
    private static final ThreadScratch SCRATCH_ROW = new ThreadScratch();

    /** LANES bytes, or 8 when that is below the smallest byte vector (128-bit floats). */
    private static final VectorSpecies<Byte> NARROW_BYTES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * Byte.SIZE)));
    private static final VectorSpecies<Byte> WIDE_BYTES = VectorSpecies.of(byte.class, FLOATS.vectorShape());
    /** The most channels a wide byte register splits: LANES pixels of 4 bytes fill it. */
    private static final int MAX_SHUFFLED_CHANNELS = 4;
    private static final ScalarImageKernels SCALAR = new ScalarImageKernels();
    private static final VectorShuffle<Float>[][] PIXEL_REVERSALS = pixelReversals();
    /** {@code TILED_REVERSALS[C]}, for C dividing LANES: a register's LANES/C pixels in reverse order. */
    private static final VectorShuffle<Float>[] TILED_REVERSALS = tiledReversals();
    /** A register's floats in reverse order. */
    private static final VectorShuffle<Float> REVERSE = TILED_REVERSALS[1];
    private static final int RGB = 3;
    /** The first float of output register 1's last pixel in an RGB group: where its window starts. */
    private static final int RGB_WINDOW = source(2 * LANES - 1, LANES, RGB) - (2 * LANES - 1) % RGB;
    private static final FloatVector RGB_FROM_HIGH = rgbSources(0, LANES);
    private static final FloatVector RGB_FROM_WINDOW = rgbSources(1, RGB_WINDOW);
    private static final FloatVector RGB_FROM_LOW = rgbSources(2, 0);
    /** {@code SPLITS[C − 1][c]} moves channel c of LANES pixels of C channels to the low lanes. */
    private static final VectorShuffle<Byte>[][] SPLITS = splits();

    /**
     * When three registers hold whole pixels (1 to 4 channels at every width), three registers at a time with
     * their coefficients held in registers: for 64 NHWC RGB images of 224×224, 870 -> 1015 calls per second
     * (measured) against a register at a time with coefficients read from the tables, which does the rest.
     */
    @Override
    public void bytesToFloats(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts, int units,
                              int period, int phase, MemorySegment out, long outFrom) {
        int k = 0;
        if (3 * LANES % units == 0) {
            int j1 = (phase + LANES) % period, j2 = (phase + 2 * LANES) % period;
            FloatVector scale0 = FloatVector.fromArray(FLOATS, scales, phase);
            FloatVector scale1 = FloatVector.fromArray(FLOATS, scales, j1);
            FloatVector scale2 = FloatVector.fromArray(FLOATS, scales, j2);
            FloatVector shift0 = FloatVector.fromArray(FLOATS, shifts, phase);
            FloatVector shift1 = FloatVector.fromArray(FLOATS, shifts, j1);
            FloatVector shift2 = FloatVector.fromArray(FLOATS, shifts, j2);
            for (int end = n - 2 * LANES - NARROW_BYTES.length(); k <= end; k += 3 * LANES) {
                long at = outFrom + k, from = srcFrom + k;
                KIND.store(widened(loadBytes(BYTE_KIND, NARROW_BYTES, src, from)).fma(scale0, shift0), out, at);
                KIND.store(widened(loadBytes(BYTE_KIND, NARROW_BYTES, src, from + LANES)).fma(scale1, shift1), out, at + LANES);
                KIND.store(widened(loadBytes(BYTE_KIND, NARROW_BYTES, src, from + 2 * LANES)).fma(scale2, shift2), out,
                        at + 2 * LANES);
            }
        }
        int j = (int) ((phase + (long) k) % period);
        for (int end = n - NARROW_BYTES.length(); k <= end; k += LANES) {
            FloatVector v = widened(loadBytes(BYTE_KIND, NARROW_BYTES, src, srcFrom + k));
            KIND.store(v.fma(FloatVector.fromArray(FLOATS, scales, j), FloatVector.fromArray(FLOATS, shifts, j)), out,
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
                    ByteVector bytes = loadBytes(BYTE_KIND, WIDE_BYTES, src, srcFrom + (long) p * channels);
                    KIND.store(widened(bytes.rearrange(split)).fma(scale, shift), out, at + p);
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
        if (width % LANES == 0 && width <= 4 * LANES) {
            reverseShortRows(x, out, from, rows, width);
            return;
        }
        reverseTiledPixels(x, out, from, rows, width, 1);
    }

    /**
     * Rows of whole registers with a band within one register: one loop over all their registers, the band's
     * register of each row blended with zeros, its place found by counting the row's registers down. A first
     * or last row whose band lies outside x goes as {@link ScalarImageKernels} copies it. A 64×3×32×32 random
     * crop took 18.9–19.1 µs with a copy of the range and a blend per row, 16.2–16.8 with this loop, against
     * 12.9–13.2 for a copy of the batch (JMH, alternating, 2026-11-25).
     */
    @Override
    public void shiftedRows(MemorySegment x, long xFrom, MemorySegment out, long outFrom, int rows, int rowLength,
                            int col, int count) {
        if (count == 0 || count > LANES || rowLength % LANES != 0) {
            ScalarImageKernels.copyAroundBand(x, xFrom, out, outFrom, rows, rowLength, col, count);
            if (count > 0) {
                zeroColumns(out, outFrom, rows, rowLength, col, count);
            }
            return;
        }
        boolean atStart = col == 0;
        long rowsEnd = xFrom + (long) rows * rowLength;
        int first = atStart && xFrom < 0 ? 1 : 0;
        int last = !atStart && rowsEnd * Float.BYTES > x.byteSize() ? rows - 1 : rows;
        if (first > 0) {
            SCALAR.shiftedRows(x, xFrom, out, outFrom, 1, rowLength, col, count);
        }
        if (last < rows) {
            long lastRow = (long) last * rowLength;
            SCALAR.shiftedRows(x, xFrom + lastRow, out, outFrom + lastRow, 1, rowLength, col, count);
        }
        VectorMask<Float> band = atStart ? FLOATS.indexInRange(0, count) : FLOATS.indexInRange(count - LANES, count);
        FloatVector zero = FloatVector.zero(FLOATS);
        int registersPerRow = rowLength / LANES, untilBand = atStart ? 1 : registersPerRow;
        long shift = (xFrom - outFrom) * Float.BYTES;
        for (long at = (outFrom + (long) first * rowLength) * Float.BYTES,
             end = (outFrom + (long) last * rowLength) * Float.BYTES; at < end; at += VECTOR_BYTES) {
            FloatVector v = KIND.loadAt(x, at + shift);
            if (--untilBand == 0) {
                v = v.blend(zero, band);
                untilBand = registersPerRow;
            }
            KIND.storeAt(v, out, at);
        }
    }

    /**
     * A band within one register at the start or end of each row: that register read, blended with zeros in
     * the band's lanes, and written back. A slice and a fill per row cost 3–4 ns, more than a 32-float row's
     * copy (measured on a CIFAR crop); other bands a fill per row.
     */
    private static void zeroColumns(MemorySegment out, long from, int rows, int rowLength, int col, int count) {
        boolean atStart = col + count <= LANES, atEnd = col + count == rowLength && count <= LANES;
        if (rowLength < LANES || !(atStart || atEnd)) {
            ScalarImageKernels.zeroColumns(out, from, rows, rowLength, col, count);
            return;
        }
        int block = atStart ? 0 : rowLength - LANES;
        VectorMask<Float> band = FLOATS.indexInRange(block - col, count);
        FloatVector zero = FloatVector.zero(FLOATS);
        for (int r = 0; r < rows; r++) {
            long at = from + (long) r * rowLength + block;
            KIND.store(KIND.load(out, at).blend(zero, band), out, at);
        }
    }

    /**
     * Rows of a few whole registers as one loop over all of them, register k of x to {@code k + shift}, the
     * shift falling by two rows at each row and starting again at each block; longer rows one copy each (see
     * {@link ScalarImageKernels}).
     */
    @Override
    public void reverseRowOrder(MemorySegment x, MemorySegment out, long from, int blocks, int rows, int rowLength) {
        if (rowLength % LANES != 0 || rowLength > 4 * LANES) {
            SCALAR.reverseRowOrder(x, out, from, blocks, rows, rowLength);
            return;
        }
        int n = blocks * rows * rowLength;
        int rowEnd = rowLength, rowsLeft = rows, firstShift = (rows - 1) * rowLength, shift = firstShift;
        for (int k = 0; k < n; k += LANES) {
            if (k == rowEnd) {
                rowEnd += rowLength;
                if (--rowsLeft == 0) {
                    rowsLeft = rows;
                    shift = firstShift;
                } else {
                    shift -= 2 * rowLength;
                }
            }
            KIND.store(KIND.load(x, from + k), out, from + k + shift);
        }
    }

    /**
     * Rows of a few whole registers as one loop over all of them: register k goes to
     * {@code 2·rowStart + width − LANES − k}.
     */
    private static void reverseShortRows(MemorySegment x, MemorySegment out, long from, int rows, int width) {
        int n = rows * width, rowEnd = width;
        long mirror = width - LANES;
        for (int k = 0; k < n; k += LANES) {
            if (k == rowEnd) {
                mirror += 2L * width;
                rowEnd += width;
            }
            KIND.store(KIND.load(x, from + k).rearrange(REVERSE), out, from + mirror - k);
        }
    }

    private static void reverseRowsInPlace(MemorySegment x, long from, int rows, int width) {
        int blocks = width / (2 * LANES) * LANES;
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * width, last = row + width - LANES;
            for (int k = 0; k < blocks; k += LANES) {
                FloatVector head = KIND.load(x, row + k), tail = KIND.load(x, last - k);
                KIND.store(tail.rearrange(REVERSE), x, row + k);
                KIND.store(head.rearrange(REVERSE), x, last - k);
            }
            ScalarImageKernels.reverseRange(x, x, row, blocks, width - blocks);
        }
    }

    /**
     * One float per pixel is a row reversal; three go by {@link #reverseRgbPixels}, and channels that divide
     * LANES by {@link #reverseTiledPixels}. Out of place, with other channel counts up to {@code LANES/2 + 1},
     * each output block's floats come from a window of two registers from the first float of its last pixel in
     * x (they span at most {@code LANES + 2·C − 3} floats), picked by a two-register shuffle that depends only
     * on the block's start modulo C. Blocks whose window would run past the row's end, and the last partial
     * block, go element by element. For 64 images of 224×224: 5 channels 7.0 ms against a copy's 2.6; 2 and
     * 4 channels by whole registers 1.4 and 3.0 ms against 0.8 and 1.8, where windows took 2.9 and 5.3
     * (measured).
     */
    @Override
    public void reversePixels(MemorySegment x, MemorySegment out, long from, int rows, int width, int channels) {
        if (channels == 1) {
            reverseRows(x, out, from, rows, width);
            return;
        }
        if (x.equals(out) || channels >= PIXEL_REVERSALS.length) {
            SCALAR.reversePixels(x, out, from, rows, width, channels);
            return;
        }
        if (channels == RGB) {
            reverseRgbPixels(x, out, from, rows, width);
            return;
        }
        if (LANES % channels == 0) {
            reverseTiledPixels(x, out, from, rows, width, channels);
            return;
        }
        reverseWindowedPixels(x, out, from, rows, width, channels);
    }

    /**
     * {@link #reversePixels} by windows of two registers. A method of its own, so that C2 weighs its loads and
     * stores against its own calls: in {@code reversePixels}, where the test's calls seldom came, C2 found them
     * cold and left them calls, their registers boxed (-XX:+LogCompilation, one JVM in six of the suite).
     */
    private static void reverseWindowedPixels(MemorySegment x, MemorySegment out, long from, int rows, int width,
                                              int channels) {
        VectorShuffle<Float>[] shuffles = PIXEL_REVERSALS[channels];
        int n = width * channels, blocks = loopEnd(0, n, LANES);
        int stepFloats = LANES % channels, stepPixels = LANES / channels;
        // From the row's last whole block down, so that x is read in order: read from the row's end, RGB rows
        // took 4.7 times as long (see reverseRgbPixels). phase = k mod C and lastPixel = (k + LANES − 1) / C are
        // kept by subtraction: a division per block cost as much as the block.
        int lastBlock = blocks - LANES;
        int lastPhase = Math.floorMod(lastBlock, channels), lastBlockEnd = lastBlock + LANES - 1;
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * n;
            ScalarImageKernels.reversePixelRange(x, out, row, width, channels, blocks, n);
            int phase = lastPhase, lastPixel = lastBlockEnd / channels, lastFloat = lastBlockEnd % channels;
            for (int k = lastBlock; k >= 0; k -= LANES) {
                int base = (width - 1 - lastPixel) * channels;
                if (base + 2 * LANES <= n) {
                    FloatVector low = KIND.load(x, row + base), high = KIND.load(x, row + base + LANES);
                    KIND.store(low.rearrange(shuffles[phase], high), out, row + k);
                } else {
                    ScalarImageKernels.reversePixelRange(x, out, row, width, channels, k, k + LANES);
                }
                phase -= stepFloats;
                lastFloat -= stepFloats;
                lastPixel -= stepPixels;
                if (phase < 0) {
                    phase += channels;
                }
                if (lastFloat < 0) {
                    lastFloat += channels;
                    lastPixel--;
                }
            }
        }
    }

    /**
     * Pixels that tile a register (C dividing LANES, 1 for {@link #reverseRows}), out of place: each register
     * of a row read in order, its pixels reversed by one shuffle and stored at the mirror place of a scratch
     * row, which is then copied to the output row in order; the output row's first pixels, from the input
     * row's last, element by element. In a harness over 64×3×224×224 planes, all flipped: storing at the
     * mirror places of the output row itself, at falling addresses, took 2.1–2.4 ms, through the scratch row
     * 1.7–1.8 ms, a vector-loop copy 1.5–1.6 ms; reading the input from the row's end was slower still,
     * 3.7–4.6 ms. The flip benchmark, half the images flipped: 1.86–1.87 → 1.76–1.83 ms (all measured).
     */
    private static void reverseTiledPixels(MemorySegment x, MemorySegment out, long from, int rows, int width,
                                           int channels) {
        VectorShuffle<Float> reverse = TILED_REVERSALS[channels];
        int n = width * channels, blocks = n / LANES * LANES, head = n - blocks;
        MemorySegment scratch = SCRATCH_ROW.atLeast((long) n * Float.BYTES);
        for (int r = 0; r < rows; r++) {
            long row = from + (long) r * n;
            for (int k = 0; k < blocks; k += LANES) {
                NATIVE.store(KIND.load(x, row + k).rearrange(reverse), scratch, blocks - LANES - k);
            }
            for (int k = 0; k < blocks; k += LANES) {
                KIND.store(NATIVE.load(scratch, k), out, row + head + k);
            }
            ScalarImageKernels.reversePixelRange(x, out, row, width, channels, 0, head);
        }
    }

    /**
     * RGB rows by groups of LANES pixels, which fill three registers: the input row's groups in order, each
     * loaded whole and written to its mirror group in out. Output register 0 takes its floats from input
     * registers 1 and 2, register 2 from 0 and 1, register 1 from a window of two registers sliced from all
     * three. For 64 NHWC images of 224×224 this took 2.1 ms against 2.0 for a vector-loop copy of the same rows
     * (1.4 for {@code MemorySegment.copy}); reading the groups from the row's end took 4.3 ms, and the
     * two-register windows of other channel counts, read from the end, 9.7 ms (measured). The output row's
     * last pixels, from the input row's first, go element by element. All rows' groups are one loop: with a
     * loop per row, a 64×32×32×3 batch, all rows two groups long, took 16.9–17.1 µs against 14.1 (JMH, twice
     * alternating, 2026-11-25; copy 12.4–12.9).
     */
    private static void reverseRgbPixels(MemorySegment x, MemorySegment out, long from, int rows, int width) {
        int n = width * RGB, groups = width / LANES, head = width - groups * LANES, group = RGB * LANES;
        if (groups == 0) {
            SCALAR.reversePixels(x, out, from, rows, width, RGB);
            return;
        }
        // One loop over all the rows' groups; at each row's end, counted down, its head pixels.
        long at = from + (long) (groups - 1) * group;
        int groupsLeft = groups;
        for (long in = from + (long) head * RGB, end = from + (long) rows * n; in < end; in += group) {
            FloatVector low = KIND.load(x, in), middle = KIND.load(x, in + LANES), high = KIND.load(x, in + 2 * LANES);
            KIND.store(RGB_FROM_HIGH.selectFrom(middle, high), out, at);
            KIND.store(RGB_FROM_WINDOW.selectFrom(low.slice(RGB_WINDOW, middle), middle.slice(RGB_WINDOW, high)), out,
                    at + LANES);
            KIND.store(RGB_FROM_LOW.selectFrom(low, middle), out, at + 2 * LANES);
            if (--groupsLeft == 0) {
                ScalarImageKernels.reversePixelRange(x, out, at, width, RGB, groups * group, n);
                in += (long) head * RGB;
                at += n + (long) (groups - 1) * group;
                groupsLeft = groups;
            } else {
                at -= group;
            }
        }
    }

    /**
     * Lane i of output register j of an RGB group takes float {@code source(j·LANES + i) − start} of the two
     * registers from start in the group's input.
     */
    private static FloatVector rgbSources(int register, int start) {
        float[] lanes = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            lanes[i] = source(register * LANES + i, LANES, RGB) - start;
        }
        return FloatVector.fromArray(FLOATS, lanes, 0);
    }

    /**
     * {@code PIXEL_REVERSALS[C][phase]}: for an output block starting at a float o0 with {@code o0 mod C = phase},
     * lane i takes float {@code s(o0 + i) − b} of the two registers from b, the first float of the block's
     * last pixel in x, where s is the source of an output float (see reversePixels).
     */
    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[][] pixelReversals() {
        VectorShuffle<Float>[][] table = new VectorShuffle[LANES / 2 + 2][];
        int width = 4 * LANES;
        for (int channels = 2; channels < table.length; channels++) {
            table[channels] = new VectorShuffle[channels];
            for (int phase = 0; phase < channels; phase++) {
                int[] lanes = new int[LANES];
                int base = (width - 1 - (phase + LANES - 1) / channels) * channels;
                for (int i = 0; i < LANES; i++) {
                    lanes[i] = source(phase + i, width, channels) - base;
                }
                table[channels][phase] = VectorShuffle.fromArray(FLOATS, lanes, 0);
            }
        }
        return table;
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] tiledReversals() {
        VectorShuffle<Float>[] table = new VectorShuffle[LANES + 1];
        for (int channels = 1; channels <= LANES; channels++) {
            if (LANES % channels == 0) {
                int[] lanes = new int[LANES];
                for (int i = 0; i < LANES; i++) {
                    lanes[i] = source(i, LANES / channels, channels);
                }
                table[channels] = VectorShuffle.fromArray(FLOATS, lanes, 0);
            }
        }
        return table;
    }

    private static int source(int o, int width, int channels) {
        return (width - 1 - o / channels) * channels + o % channels;
    }

    @Override
    public void swapRanges(MemorySegment x, MemorySegment out, long a, long b, int n) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            FloatVector u = KIND.load(x, a + k), v = KIND.load(x, b + k);
            KIND.store(v, out, a + k);
            KIND.store(u, out, b + k);
        }
        ScalarImageKernels.swapRange(x, out, a, b, k, n);
    }

    @Override
    public void addPeriodic(MemorySegment x, MemorySegment out, long from, int n, float[] shifts, int period,
                            int phase) {
        int j = phase;
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            KIND.store(KIND.load(x, from + k).add(FloatVector.fromArray(FLOATS, shifts, j)), out, from + k);
            j += LANES;
            if (j >= period) {
                j -= period;
            }
        }
        ScalarImageKernels.addPeriodicRange(x, out, from + k, n - k, shifts, period, j);
    }

    /** Scalar: per-pixel gathers from segments have no vector form in the Vector API. */
    @Override
    public void warp(MemorySegment x, long xFrom, int height, int width, MemorySegment out, long outFrom,
                     int outHeight, int outWidth, int channels, boolean planes, double[] m, int mFrom, boolean edge) {
        SCALAR.warp(x, xFrom, height, width, out, outFrom, outHeight, outWidth, channels, planes, m, mFrom, edge);
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
