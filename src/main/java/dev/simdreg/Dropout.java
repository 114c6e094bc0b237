package dev.simdreg;

import dev.simdreg.internal.BitMasks;
import dev.simdreg.internal.Check;
import dev.simdreg.internal.Floats;
import dev.simdreg.internal.Kernels;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.Periodic;
import dev.simdreg.internal.Providers;
import dev.simdreg.internal.StreamScratch;
import dev.simdreg.internal.Streams;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Dropout (Srivastava et al. 2014; DL book 7.12) with the lecture's convention: π is the probability to
 * KEEP a unit (PyTorch's p is 1 − π), in (0, 1]; π = 1 is the identity and draws nothing.
 *
 * <p>Keep decisions come from a {@link RandomStreams random stream}: element i of a call is element
 * {@code offset + i} of the bit stream of seed, kept when its 16-bit draw is below {@code round(π·2^16)}.
 * So π is realized to within 2^-17 (finer than any tuned keep probability, and invisible next to the
 * sampling noise of fewer than 10^10 draws), and each Philox word serves two elements, halving the
 * generator's cost, which is the whole cost of dropout.
 *
 * <p>{@link Scaling#INVERTED}: {@code y = x·m/π} (PyTorch's dropout: the scale {@code 1/π} is rounded to
 * float once, then multiplied). {@link Scaling#UNSCALED}: {@code y = x·m}, to rescale the weights at test
 * time instead ({@link #rescaleWeights}). A dropped element is {@code +0} whatever x holds (PyTorch's
 * {@code x·0} keeps NaN and gives NaN for infinities).
 *
 * <p>Masks hold one bit per element (1 = kept): for a {@code long[]} mask bit {@code i mod 64} of
 * {@code mask[i / 64]} (the order of {@link java.util.BitSet#valueOf(long[])}), for a segment bit
 * {@code i mod 8} of byte {@code i / 8}. A forward call writes {@code ceil(n/64)} longs or {@code ceil(n/8)}
 * bytes, bits past n cleared, or no mask at all when it is null: the backward pass can then regenerate it
 * from (seed, offset). y may be x (in place); the mask must not overlap either. Arguments are checked
 * before anything is written.
 */
public final class Dropout {

    /** Whether kept units are scaled by 1/π at training time. */
    public enum Scaling {
        /** {@code y = x·m/π}: the expected output equals x, nothing changes at test time. */
        INVERTED,
        /** {@code y = x·m}: multiply the weights by π at test time instead ({@link #rescaleWeights}). */
        UNSCALED
    }

    private Dropout() {
    }

    /**
     * Dropout forward with one keep probability for every element.
     *
     * @param seed    the stream
     * @param offset  the stream element of x[0]; {@code >= 0}
     * @param keep    π, in (0, 1]
     * @param scaling inverted ({@code x·m/π}) or unscaled ({@code x·m})
     * @param x       the input
     * @param y       the output, x's length; may be x
     * @param mask    the keep bits written, {@code ceil(n/64)} longs or more; null for none
     */
    public static void forward(long seed, long offset, float keep, Scaling scaling, float[] x, float[] y, long[] mask) {
        MemorySegment xs = Check.array(x, "x");
        long n = xs.byteSize() / Float.BYTES;
        forward(seed, offset, keep, scaling, xs, "x", Check.array(y, "y"), "y",
                mask == null ? null : Check.mask(mask, "mask", n, "x"), ByteOrder.nativeOrder());
    }

    /**
     * Dropout forward on segments, the mask a segment of bytes holding a bit per element (or null); see
     * {@link #forward(long, long, float, Scaling, float[], float[], long[])}.
     */
    public static void forward(long seed, long offset, float keep, Scaling scaling, MemorySegment x, MemorySegment y,
                               MemorySegment mask) {
        long n = Check.floats(x, "x");
        forward(seed, offset, keep, scaling, x, "x", y, "y", mask == null ? null : Check.mask(mask, "mask", n, "x", true),
                ByteOrder.LITTLE_ENDIAN);
    }

    /** Forward, or the regenerating backward with x and y named dy and dx. */
    private static void forward(long seed, long offset, float keep, Scaling scaling, MemorySegment x, String xName,
                                MemorySegment y, String yName, MemorySegment mask, ByteOrder order) {
        long n = checkElementwise(x, xName, y, yName, mask);
        Check.streamOffset(offset, n);
        Check.keepProbability(keep, "keep");
        Objects.requireNonNull(scaling, "scaling");
        if (keep == 1f) {
            identity(x, y, mask, order, n);
        } else {
            StreamScratch s = StreamScratch.get().keep(RandomStreams.threshold(keep), scale(keep, scaling));
            Streams.dropout(Providers.kernels(), seed, offset, s, x, y, mask, order, n);
        }
    }

    /**
     * Dropout backward from the mask: {@code dx = dy·m/π} (inverted) or {@code dy·m}.
     *
     * @param mask the forward call's mask, {@code ceil(n/64)} longs or more
     * @param dx   the output, dy's length; may be dy
     */
    public static void backward(float keep, Scaling scaling, long[] mask, float[] dy, float[] dx) {
        MemorySegment dys = Check.array(dy, "dy");
        backward(keep, scaling, Check.mask(mask, "mask", dys.byteSize() / Float.BYTES, "dy"), ByteOrder.nativeOrder(), dys,
                Check.array(dx, "dx"));
    }

    /**
     * Dropout backward on segments, from a segment of bytes holding a bit per element; see
     * {@link #backward(float, Scaling, long[], float[], float[])}.
     */
    public static void backward(float keep, Scaling scaling, MemorySegment mask, MemorySegment dy, MemorySegment dx) {
        backward(keep, scaling, Check.mask(mask, "mask", Check.floats(dy, "dy"), "dy", false), ByteOrder.LITTLE_ENDIAN, dy, dx);
    }

    private static void backward(float keep, Scaling scaling, MemorySegment mask, ByteOrder order, MemorySegment dy,
                                 MemorySegment dx) {
        long n = checkElementwise(dy, "dy", dx, "dx", mask);
        Check.keepProbability(keep, "keep");
        Objects.requireNonNull(scaling, "scaling");
        StreamScratch s = StreamScratch.get().keep(0, scale(keep, scaling));
        applyMask(Providers.kernels(), dy, dx, mask, order, n, s);
    }

    /**
     * Dropout backward without a mask: regenerates the forward call's keep bits from (seed, offset), so
     * nothing was stored. The same as {@link #forward} on dy with no mask.
     */
    public static void backward(long seed, long offset, float keep, Scaling scaling, float[] dy, float[] dx) {
        forward(seed, offset, keep, scaling, Check.array(dy, "dy"), "dy", Check.array(dx, "dx"), "dx", null,
                ByteOrder.nativeOrder());
    }

    /** Dropout backward on segments from (seed, offset); see {@link #backward(long, long, float, Scaling, float[], float[])}. */
    public static void backward(long seed, long offset, float keep, Scaling scaling, MemorySegment dy,
                                MemorySegment dx) {
        forward(seed, offset, keep, scaling, dy, "dy", dx, "dx", null, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Dropout of a {@code [N, C]} batch with a keep probability per unit: element {@code (r, c)} is kept with
     * probability {@code keepPerUnit[c]} (typically 0.8 for input units, 0.5 for hidden ones) and scaled by
     * {@code 1/keepPerUnit[c]} when inverted. The bits are those of {@link #forward} with each element's own
     * threshold, so the regenerating backward is this call on dy with no mask.
     *
     * @param keepPerUnit C keep probabilities, each in (0, 1]; x's length must be a multiple of C
     */
    public static void forwardPerUnit(long seed, long offset, float[] keepPerUnit, Scaling scaling, float[] x, float[] y,
                                      long[] mask) {
        MemorySegment xs = Check.array(x, "x");
        forwardPerUnit(seed, offset, keepPerUnit, scaling, xs, Check.array(y, "y"),
                mask == null ? null : Check.mask(mask, "mask", xs.byteSize() / Float.BYTES, "x"), ByteOrder.nativeOrder());
    }

    /** Per-unit dropout on segments; see {@link #forwardPerUnit(long, long, float[], Scaling, float[], float[], long[])}. */
    public static void forwardPerUnit(long seed, long offset, float[] keepPerUnit, Scaling scaling, MemorySegment x,
                                      MemorySegment y, MemorySegment mask) {
        long n = Check.floats(x, "x");
        forwardPerUnit(seed, offset, keepPerUnit, scaling, x, y, mask == null ? null : Check.mask(mask, "mask", n, "x", true),
                ByteOrder.LITTLE_ENDIAN);
    }

    private static void forwardPerUnit(long seed, long offset, float[] keepPerUnit, Scaling scaling, MemorySegment x,
                                       MemorySegment y, MemorySegment mask, ByteOrder order) {
        long n = checkElementwise(x, "x", y, "y", mask);
        Check.streamOffset(offset, n);
        StreamScratch s = perUnit(keepPerUnit, scaling, n, true);
        Streams.dropout(Providers.kernels(), seed, offset, s, x, y, mask, order, n);
    }

    /** Per-unit dropout backward from the mask: {@code dx = dy·m/keepPerUnit[c]} (inverted) or {@code dy·m}. */
    public static void backwardPerUnit(float[] keepPerUnit, Scaling scaling, long[] mask, float[] dy, float[] dx) {
        MemorySegment dys = Check.array(dy, "dy");
        backwardPerUnit(keepPerUnit, scaling, Check.mask(mask, "mask", dys.byteSize() / Float.BYTES, "dy"),
                ByteOrder.nativeOrder(), dys, Check.array(dx, "dx"));
    }

    /** Per-unit dropout backward on segments; see {@link #backwardPerUnit(float[], Scaling, long[], float[], float[])}. */
    public static void backwardPerUnit(float[] keepPerUnit, Scaling scaling, MemorySegment mask, MemorySegment dy,
                                       MemorySegment dx) {
        backwardPerUnit(keepPerUnit, scaling, Check.mask(mask, "mask", Check.floats(dy, "dy"), "dy", false),
                ByteOrder.LITTLE_ENDIAN, dy, dx);
    }

    private static void backwardPerUnit(float[] keepPerUnit, Scaling scaling, MemorySegment mask, ByteOrder order,
                                        MemorySegment dy, MemorySegment dx) {
        long n = checkElementwise(dy, "dy", dx, "dx", mask);
        applyMask(Providers.kernels(), dy, dx, mask, order, n, perUnit(keepPerUnit, scaling, n, false));
    }

    /**
     * Channel-wise dropout of a channels-first {@code [N, C, S]} batch (spatial dropout, Tompson et al.
     * 2015): channel c of example n is kept or dropped as a whole, by bit {@code n·C + c} of the stream, so
     * the mask has N·C bits and the regenerating backward is this call on dy with no mask.
     *
     * @param shape a {@link BatchShape#channelsFirst} or {@link BatchShape#rows} shape of x
     * @param mask  the N·C keep bits written, {@code ceil(N·C/64)} longs or more; null for none
     */
    public static void forwardChannels(long seed, long offset, float keep, Scaling scaling, BatchShape shape, float[] x,
                                       float[] y, long[] mask) {
        long planes = channelPlanes(shape);
        forwardChannels(seed, offset, keep, scaling, shape, Check.array(x, "x"), Check.array(y, "y"),
                mask == null ? null : Check.mask(mask, "mask", planes, "shape"), ByteOrder.nativeOrder());
    }

    /** Channel-wise dropout on segments; see {@link #forwardChannels(long, long, float, Scaling, BatchShape, float[], float[], long[])}. */
    public static void forwardChannels(long seed, long offset, float keep, Scaling scaling, BatchShape shape,
                                       MemorySegment x, MemorySegment y, MemorySegment mask) {
        long planes = channelPlanes(shape);
        forwardChannels(seed, offset, keep, scaling, shape, x, y,
                mask == null ? null : Check.mask(mask, "mask", planes, "shape", true), ByteOrder.LITTLE_ENDIAN);
    }

    private static void forwardChannels(long seed, long offset, float keep, Scaling scaling, BatchShape shape,
                                        MemorySegment x, MemorySegment y, MemorySegment mask, ByteOrder order) {
        long planes = channelPlanes(shape);
        checkChannels(shape, x, "x", y, "y", mask);
        Check.streamOffset(offset, planes);
        Check.keepProbability(keep, "keep");
        Objects.requireNonNull(scaling, "scaling");
        StreamScratch s = StreamScratch.get().keep(RandomStreams.threshold(keep), scale(keep, scaling));
        MemorySegment bits = mask != null ? mask : s.channelMask(planes);
        ByteOrder bitsOrder = mask != null ? order : ByteOrder.nativeOrder();
        Streams.keepBits(Providers.kernels(), seed, offset, s, bits, bitsOrder, planes);
        scalePlanes(shape, x, y, bits, bitsOrder, s.scales[0]);
    }

    /** Channel-wise dropout backward from the N·C-bit mask. */
    public static void backwardChannels(float keep, Scaling scaling, BatchShape shape, long[] mask, float[] dy,
                                        float[] dx) {
        MemorySegment bits = Check.mask(mask, "mask", channelPlanes(shape), "shape");
        backwardChannels(keep, scaling, shape, bits, ByteOrder.nativeOrder(), Check.array(dy, "dy"), Check.array(dx, "dx"));
    }

    /** Channel-wise dropout backward on segments; see {@link #backwardChannels(float, Scaling, BatchShape, long[], float[], float[])}. */
    public static void backwardChannels(float keep, Scaling scaling, BatchShape shape, MemorySegment mask,
                                        MemorySegment dy, MemorySegment dx) {
        MemorySegment bits = Check.mask(mask, "mask", channelPlanes(shape), "shape", false);
        backwardChannels(keep, scaling, shape, bits, ByteOrder.LITTLE_ENDIAN, dy, dx);
    }

    private static void backwardChannels(float keep, Scaling scaling, BatchShape shape, MemorySegment mask,
                                         ByteOrder order, MemorySegment dy, MemorySegment dx) {
        checkChannels(shape, dy, "dy", dx, "dx", mask);
        Check.keepProbability(keep, "keep");
        Objects.requireNonNull(scaling, "scaling");
        scalePlanes(shape, dy, dx, mask, order, scale(keep, scaling));
    }

    /**
     * Weight rescaling for test time (the weight scaling inference rule): {@code out[u, j] = keepPerInput[j]·w[u, j]}
     * for a row-major {@code [units, inputs]} weight matrix, each row one unit's incoming weights.
     *
     * @param w            units·inputs weights, inputs = keepPerInput.length
     * @param keepPerInput the keep probability of each input unit, each in (0, 1]
     * @param out          the rescaled weights, w's length; may be w
     */
    public static void rescaleWeights(float[] w, float[] keepPerInput, float[] out) {
        rescaleWeights(Check.array(w, "w"), keepPerInput, Check.array(out, "out"));
    }

    /** Weight rescaling on segments; see {@link #rescaleWeights(float[], float[], float[])}. */
    public static void rescaleWeights(MemorySegment w, float[] keepPerInput, MemorySegment out) {
        long n = checkElementwise(w, "w", out, "out", null);
        float[] keep = checkKeepPerUnit(keepPerInput, "keepPerInput", n, "w");
        int inputs = keep.length;
        Parallel.run(n / inputs, 1, Math.max(1, Parallel.ELEMENTWISE_PART / inputs), Parallel.shared(w, out),
                (r0, r1) -> {
                    for (long row = r0; row < r1; row += Integer.MAX_VALUE) {
                        Providers.kernels().dropout().scaleColumns(w, out, row,
                                (int) Math.min(Integer.MAX_VALUE, r1 - row), inputs, keep);
                    }
                });
    }

    private static float scale(float keep, Scaling scaling) {
        return scaling == Scaling.INVERTED ? 1f / keep : 1f;
    }

    private static StreamScratch perUnit(float[] keepPerUnit, Scaling scaling, long n, boolean thresholds) {
        float[] keep = checkKeepPerUnit(keepPerUnit, "keepPerUnit", n, "x");
        Objects.requireNonNull(scaling, "scaling");
        StreamScratch s = StreamScratch.get().perUnit(keep.length);
        for (int i = 0; i < s.period + Periodic.EXTRA; i++) {
            float unitKeep = keep[i % keep.length];
            s.thresholds[i] = thresholds ? RandomStreams.threshold(unitKeep) : 0;
            s.scales[i] = scale(unitKeep, scaling);
        }
        return s;
    }

    private static float[] checkKeepPerUnit(float[] keep, String name, long n, String tensor) {
        Objects.requireNonNull(keep, name);
        if (keep.length == 0 || n % keep.length != 0) {
            throw new IllegalArgumentException(tensor + " has " + n + " elements, not a multiple of " + name + "'s "
                    + keep.length + " units");
        }
        for (int c = 0; c < keep.length; c++) {
            Check.keepProbability(keep[c], name, c);
        }
        return keep;
    }

    /**
     * y[i] = mask bit ? x[i]·scale : 0 over the whole of x, with the scales prepared in s, a chunk of the mask at
     * a time; split over threads, parts on words of the mask, of at least 2^17 floats: over 2^17 floats in two
     * parts it took 10.1 µs against 9.5 on one thread, over 2^18 9.3 against 18.9 (harness).
     */
    private static void applyMask(Kernels kernels, MemorySegment x, MemorySegment y, MemorySegment mask, ByteOrder order,
                                  long n, StreamScratch s) {
        Parallel.run(n, Long.SIZE, 2 * Parallel.ELEMENTWISE_PART, Parallel.shared(x, y, mask, null), (from, to) -> {
            StreamScratch local = StreamScratch.get().keepAs(s);
            for (long base = from; base < to; base += Streams.BIT_CHUNK) {
                int count = (int) Math.min(Streams.BIT_CHUNK, to - base);
                BitMasks.readGroups(mask, order, base >>> 6, local.aligned, (count + 63) >>> 6);
                Streams.applyMask(kernels, x, y, base, count, local);
            }
        });
    }

    /**
     * Each plane of S values scaled by factor when its bit is set, else zeroed; split over threads by planes, as
     * an element-wise call.
     */
    private static void scalePlanes(BatchShape shape, MemorySegment x, MemorySegment y, MemorySegment bits,
                                    ByteOrder order, float factor) {
        int spatial = shape.spatial();
        Parallel.run(channelPlanes(shape), 1, Math.max(1, Parallel.ELEMENTWISE_PART / spatial),
                Parallel.shared(x, y, bits, null), (p0, p1) -> scalePlanes(spatial, x, y, bits, order, factor, p0, p1));
    }

    /** Planes {@code [p0, p1)} of {@link #scalePlanes(BatchShape, MemorySegment, MemorySegment, MemorySegment, ByteOrder, float)}. */
    private static void scalePlanes(int spatial, MemorySegment x, MemorySegment y, MemorySegment bits, ByteOrder order,
                                    float factor, long p0, long p1) {
        for (long p = p0; p < p1; p++) {
            long group = BitMasks.read(bits, order, p >>> 6);
            if ((group >>> (p & 63) & 1) != 0) {
                Providers.kernels().dropout().scale(x, y, p * spatial, spatial, factor);
            } else {
                Floats.zero(y, p * spatial, spatial);
            }
        }
    }

    private static long channelPlanes(BatchShape shape) {
        Objects.requireNonNull(shape, "shape");
        if (shape.layout() == BatchShape.Layout.CHANNELS_LAST) {
            throw new IllegalArgumentException("shape " + shape + ": channel-wise dropout takes channels-first [N, C, S]"
                    + " or [N, C] batches");
        }
        return (long) shape.batch() * shape.channels();
    }

    private static void checkChannels(BatchShape shape, MemorySegment x, String xName, MemorySegment y, String yName,
                                      MemorySegment mask) {
        long n = checkElementwise(x, xName, y, yName, mask);
        if (n != shape.elements()) {
            throw new IllegalArgumentException(xName + " has " + n + " elements but shape " + shape + " has N·C·S = "
                    + shape.elements());
        }
    }

    /** x and y the same size, y writable and x itself or separate, the mask (if any) separate from both. */
    private static long checkElementwise(MemorySegment x, String xName, MemorySegment y, String yName,
                                         MemorySegment mask) {
        long n = Check.floats(x, xName);
        Check.sameSize(xName, n, yName, Check.output(y, yName));
        Check.sameOrDisjoint(y, yName, x, xName);
        if (mask != null) {
            Check.disjoint(mask, "mask", x, xName);
            Check.disjoint(mask, "mask", y, yName);
        }
        return n;
    }

    /** π = 1: y = x and every mask bit set (bits past n cleared, as the streams leave them); nothing drawn. */
    private static void identity(MemorySegment x, MemorySegment y, MemorySegment mask, ByteOrder order, long n) {
        if (!Check.same(x, y)) {
            MemorySegment.copy(x, 0, y, 0, n * Float.BYTES);
        }
        if (mask != null) {
            for (long g = 0; g < (n + 63) >>> 6; g++) {
                BitMasks.write(mask, order, g, BitMasks.low(-1L, n - 64 * g));
            }
        }
    }
}
