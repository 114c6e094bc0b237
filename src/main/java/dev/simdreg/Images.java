package dev.simdreg;

import dev.simdreg.internal.BitMasks;
import dev.simdreg.internal.Check;
import dev.simdreg.internal.Chunks;
import dev.simdreg.internal.ImageKernels;
import dev.simdreg.internal.Floats;
import dev.simdreg.internal.Kernels;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.Periodic;
import dev.simdreg.internal.Providers;
import dev.simdreg.internal.StreamScratch;
import dev.simdreg.internal.Streams;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Data augmentation and input conversion for batches of images (DL book 7.4): the decode-side conversion
 * of 8-bit pixels to normalized floats, flips and crops. Float images are described by an
 * {@link ImageShape}; 8-bit sources are decoded images, {@code [N, H, W, C]} bytes (each image's pixels
 * row by row, the C channels of a pixel together). Random choices come from a (seed, offset) stream, so
 * an augmented batch is the same on every provider, width and split. Arguments are checked before
 * anything is written.
 */
public final class Images {

    /**
     * Values per part of a split warp, at least: its work is per output value (a bilinear sample), 11 µs an image
     * of 32×32×3 on one thread; four such images took 48.4 µs on one thread and 26.4 on two, in parts of 2^16
     * values 32 images took 378 on both (harness).
     */
    private static final long WARP_PART = 1 << 12;

    private Images() {
    }

    /**
     * 8-bit pixels to normalized floats in one pass, torchvision's {@code ToTensor} then {@code Normalize}:
     * channel c of a pixel with byte value v becomes {@code (v/255 − mean[c]) / std[c]}, computed as
     * {@code fma(v, a_c, b_c)} with {@code a_c = 1/(255·std[c])} and {@code b_c = −mean[c]/std[c]} each
     * rounded to float once from double, so within {@code 2^-23·(v·|a_c| + |b_c|)} of the exact value.
     *
     * @param src   {@code N·H·W·C} bytes, {@code [N, H, W, C]}, read as unsigned
     * @param mean  C channel means (of the values scaled to [0, 1]), finite
     * @param std   C channel standard deviations, positive and finite
     * @param shape the output's shape and layout (NCHW or NHWC)
     * @param out   {@code N·C·H·W} floats
     */
    public static void fromBytes(byte[] src, float[] mean, float[] std, ImageShape shape, float[] out) {
        fromBytes(MemorySegment.ofArray(Objects.requireNonNull(src, "src")), mean, std, shape, Check.array(out, "out"));
    }

    /** The conversion on segments; see {@link #fromBytes(byte[], float[], float[], ImageShape, float[])}. */
    public static void fromBytes(MemorySegment src, float[] mean, float[] std, ImageShape shape, MemorySegment out) {
        Check.accessible(src, "src");
        Objects.requireNonNull(shape, "shape");
        Check.sameSize("shape ", shape, shape.elements(), "src bytes", src.byteSize());
        Check.sameSize("shape ", shape, shape.elements(), "out", Check.output(out, "out"));
        Check.disjoint(out, "out", src, "src");
        int channels = shape.channels();
        int pixels = (int) shape.pixels();
        int period = Periodic.period(channels);
        Tables t = Tables.get(channels, period + Periodic.EXTRA);
        float[] scales = t.scales, shifts = t.shifts;
        for (int c = 0; c < channels; c++) {
            float m = channelValue(mean, c, channels, "mean"), s = channelValue(std, c, channels, "std");
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("std[" + c + "] = " + s + " must be positive and finite");
            }
            scales[c] = (float) (1.0 / (255.0 * s));
            shifts[c] = (float) (-(double) m / s);
        }
        Kernels kernels = Providers.kernels();
        if (shape.layout() == ImageShape.Layout.NHWC) {
            float[] periodicScales = Periodic.repeat(scales, channels, t.periodicScales, period);
            float[] periodicShifts = Periodic.repeat(shifts, channels, t.periodicShifts, period);
            splitImages(shape, Parallel.shared(src, out), (n0, n1) -> {
                for (long base = n0 * shape.imageElements(), to = n1 * shape.imageElements(); base < to;
                     base += Chunks.MAX) {
                    kernels.images().bytesToFloats(src, base, Chunks.length(to, base), periodicScales, periodicShifts,
                            channels, period, (int) (base % period), out, base);
                }
            });
        } else {
            splitImages(shape, Parallel.shared(src, out), (n0, n1) -> {
                for (long image = n0; image < n1; image++) {
                    long first = image * shape.imageElements();
                    kernels.images().bytesToPlanes(src, first, pixels, channels, scales, shifts, out, first, pixels);
                }
            });
        }
    }

    /**
     * Horizontal flip (a left-right mirror) of each image with probability q, torchvision's
     * {@code RandomHorizontalFlip(q)}: image n is flipped when bit n of
     * {@code RandomStreams.bernoulli(seed, offset, q, bits, N)} is set (the 16-bit draw of element
     * {@code offset + n}), so a caller can recompute which were; the others are copied.
     *
     * @param q   in [0, 1]
     * @param out x's shape; may be x (in place), must not partially overlap it
     */
    public static void flipHorizontal(long seed, long offset, float q, ImageShape shape, float[] x, float[] out) {
        flipHorizontal(seed, offset, q, shape, Check.array(x, "x"), Check.array(out, "out"));
    }

    /** Horizontal flips on segments; see {@link #flipHorizontal(long, long, float, ImageShape, float[], float[])}. */
    public static void flipHorizontal(long seed, long offset, float q, ImageShape shape, MemorySegment x,
                                      MemorySegment out) {
        flip(seed, offset, q, shape, x, out, true);
    }

    /**
     * Vertical flip (an upside-down mirror) of each image with probability q, torchvision's
     * {@code RandomVerticalFlip(q)}; the draws are those of
     * {@link #flipHorizontal(long, long, float, ImageShape, float[], float[])}.
     */
    public static void flipVertical(long seed, long offset, float q, ImageShape shape, float[] x, float[] out) {
        flipVertical(seed, offset, q, shape, Check.array(x, "x"), Check.array(out, "out"));
    }

    /** Vertical flips on segments; see {@link #flipVertical(long, long, float, ImageShape, float[], float[])}. */
    public static void flipVertical(long seed, long offset, float q, ImageShape shape, MemorySegment x,
                                    MemorySegment out) {
        flip(seed, offset, q, shape, x, out, false);
    }

    private static void flip(long seed, long offset, float q, ImageShape shape, MemorySegment x, MemorySegment out,
                             boolean horizontal) {
        input(shape, x, "x");
        output(shape, out, "out");
        Check.sameOrDisjoint(out, "out", x, "x");
        Check.fraction(q, "q");
        Check.streamOffset(offset, shape.images());
        Kernels kernels = Providers.kernels();
        StreamScratch s = StreamScratch.get().keep(RandomStreams.threshold(q), 1f);
        MemorySegment bits = s.channelMask(shape.images());
        Streams.keepBits(kernels, seed, offset, s, bits, ByteOrder.nativeOrder(), shape.images());
        boolean inPlace = Check.same(x, out);
        splitImages(shape, Parallel.shared(x, out), (n0, n1) -> flip(kernels, shape, x, out, bits, inPlace, horizontal,
                (int) n0, (int) n1));
    }

    /** Images {@code [n0, n1)} of a flip, as bits drew them. */
    private static void flip(Kernels kernels, ImageShape shape, MemorySegment x, MemorySegment out, MemorySegment bits,
                             boolean inPlace, boolean horizontal, int n0, int n1) {
        // Runs of images drawn alike, read off a word of the draws: one copy, or one mirror, per run.
        for (int n = n0; n < n1; ) {
            long drawn = BitMasks.read(bits, ByteOrder.nativeOrder(), n >>> 6) >>> (n & 63);
            boolean flipped = (drawn & 1) != 0;
            int run = Math.min(Long.numberOfTrailingZeros(flipped ? ~drawn : drawn),
                    Math.min(Long.SIZE - (n & 63), n1 - n));
            long first = n * shape.imageElements();
            if (!flipped) {
                if (!inPlace) {
                    MemorySegment.copy(x, first * Float.BYTES, out, first * Float.BYTES,
                            run * shape.imageElements() * Float.BYTES);
                }
            } else {
                mirror(kernels.images(), shape, x, out, first, run, horizontal);
            }
            n += run;
        }
    }

    /**
     * Consecutive images flipped alike, in blocks of rows (NCHW planes, or NHWC images): as many blocks per
     * kernel call as have at most {@code Integer.MAX_VALUE} floats, so that short rows run as one loop. With a
     * call per image (per plane for the horizontal NCHW flip), a 64×3×32×32 batch took 14.9 µs for the
     * horizontal flip and 14.5–14.6 for the vertical one; with a call per run, 14.1–14.3 and 14.0–14.4 (JMH,
     * twice alternating, 2026-11-25; copy 12.6–12.8).
     */
    private static void mirror(ImageKernels k, ImageShape shape, MemorySegment x, MemorySegment out, long first,
                               int images, boolean horizontal) {
        boolean planes = shape.layout() == ImageShape.Layout.NCHW;
        int height = shape.height(), rowLength = planes ? shape.width() : shape.width() * shape.channels();
        long blockLength = (long) height * rowLength, blocks = planes ? (long) images * shape.channels() : images;
        long perCall = Math.max(1, Integer.MAX_VALUE / blockLength);
        for (long b = 0; b < blocks; b += perCall) {
            int count = (int) Math.min(perCall, blocks - b);
            long at = first + b * blockLength;
            if (horizontal && planes) {
                k.reverseRows(x, out, at, count * height, shape.width());
            } else if (horizontal) {
                k.reversePixels(x, out, at, count * height, shape.width(), shape.channels());
            } else if (!Check.same(x, out)) {
                k.reverseRowOrder(x, out, at, count, height, rowLength);
            } else {
                for (long row = at, end = at + count * blockLength; row < end; row += blockLength) {
                    for (int r = 0; r < height / 2; r++) {
                        k.swapRanges(x, x, row + (long) r * rowLength, row + (long) (height - 1 - r) * rowLength,
                                rowLength);
                    }
                }
            }
        }
    }

    /**
     * Random crop with zero padding, torchvision's {@code RandomCrop(size, padding=pad)}: each image, padded
     * with pad zeros on every side, is cut to outShape's height and width at top-left corner {@code (dy, dx)}
     * of the padded image, {@code dy} uniform in {@code [0, H + 2·pad − outH]} and {@code dx} in
     * {@code [0, W + 2·pad − outW]}: for image n, elements {@code offset + 2n} and {@code offset + 2n + 1} of
     * {@link RandomStreams#boundedInts} with those bounds (plus one).
     *
     * @param pad      {@code >= 0}
     * @param outShape x's N, C and layout, the crop's H and W, each at most the padded size
     * @param out      must not overlap x
     */
    public static void randomCrop(long seed, long offset, int pad, ImageShape shape, float[] x, ImageShape outShape,
                                  float[] out) {
        randomCrop(seed, offset, pad, shape, Check.array(x, "x"), outShape, Check.array(out, "out"));
    }

    /** Random crops on segments; see {@link #randomCrop(long, long, int, ImageShape, float[], ImageShape, float[])}. */
    public static void randomCrop(long seed, long offset, int pad, ImageShape shape, MemorySegment x,
                                  ImageShape outShape, MemorySegment out) {
        if (pad < 0) {
            throw new IllegalArgumentException("pad = " + pad + " must be >= 0");
        }
        checkCrop(shape, x, outShape, out, pad);
        Check.streamOffset(offset, 2L * shape.images());
        int rows = corners(shape.height(), pad, outShape.height(), "height");
        int cols = corners(shape.width(), pad, outShape.width(), "width");
        int[] corners = StreamScratch.get().corners;
        MemorySegment drawn = StreamScratch.get().cornerSegment;
        for (int first = 0; first < shape.images(); first += corners.length / 2) {
            int count = Math.min(corners.length / 2, shape.images() - first);
            Streams.boundedInts(Providers.kernels(), seed, offset + 2L * first, rows, cols, drawn, 2L * count);
            int start = first;
            Parallel.run(count, 1, imagesPerPart(shape), Parallel.shared(x, out), (k0, k1) -> {
                for (int k = (int) k0; k < k1; k++) {
                    crop(shape, x, outShape, out, start + k, corners[2 * k] - pad, corners[2 * k + 1] - pad);
                }
            });
        }
    }

    /**
     * Centre crop, torchvision's {@code CenterCrop}: each image cut to outShape's height and width, its top
     * row at {@code round((H − outH) / 2)} and left column at {@code round((W − outW) / 2)}, halves rounded to
     * even as Python's {@code round} does.
     *
     * @param outShape x's N, C and layout, the crop's H and W, each at most x's
     */
    public static void centerCrop(ImageShape shape, float[] x, ImageShape outShape, float[] out) {
        centerCrop(shape, Check.array(x, "x"), outShape, Check.array(out, "out"));
    }

    /** Centre crops on segments; see {@link #centerCrop(ImageShape, float[], ImageShape, float[])}. */
    public static void centerCrop(ImageShape shape, MemorySegment x, ImageShape outShape, MemorySegment out) {
        checkCrop(shape, x, outShape, out, 0);
        int top = (int) Math.rint((shape.height() - outShape.height()) / 2.0);
        int left = (int) Math.rint((shape.width() - outShape.width()) / 2.0);
        splitImages(shape, Parallel.shared(x, out), (n0, n1) -> {
            for (int n = (int) n0; n < n1; n++) {
                crop(shape, x, outShape, out, n, top, left);
            }
        });
    }

    /** The number of places for a crop of crop along a side of length side padded by pad on both ends. */
    private static int corners(int side, int pad, int crop, String name) {
        long places = side + 2L * pad - crop + 1;
        if (places > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pad = " + pad + " is too large: a crop of " + crop + " would have "
                    + places + " places along the " + name + " of " + side + ", more than an int counts");
        }
        return (int) places;
    }

    private static void checkCrop(ImageShape shape, MemorySegment x, ImageShape outShape, MemorySegment out, int pad) {
        input(shape, x, "x");
        Objects.requireNonNull(outShape, "outShape");
        output(outShape, out, "out");
        Check.disjoint(out, "out", x, "x");
        sameBatch(shape, outShape);
        long paddedHeight = shape.height() + 2L * pad, paddedWidth = shape.width() + 2L * pad;
        if (outShape.height() > paddedHeight || outShape.width() > paddedWidth) {
            throw new IllegalArgumentException("crop " + outShape.height() + "×" + outShape.width()
                    + " is larger than the " + (pad > 0 ? "padded " : "") + "image, " + paddedHeight + "×" + paddedWidth);
        }
    }

    /**
     * Image n's window with top-left corner (top, left) in x's coordinates, which may lie outside it: rows and
     * columns outside are zeros, the rest copied a row at a time.
     */
    private static void crop(ImageShape shape, MemorySegment x, ImageShape outShape, MemorySegment out, int n, int top,
                             int left) {
        boolean planes = shape.layout() == ImageShape.Layout.NCHW;
        int c = shape.channels(), pixel = planes ? 1 : c;
        int blocks = planes ? c : 1;
        int width = outShape.width();
        if (width == shape.width()) {
            if (outShape.height() == shape.height()) {
                shiftedCopy(shape, x, n * shape.imageElements(), outShape, out, n * outShape.imageElements(), pixel,
                        top, left, blocks);
                return;
            }
            for (int block = 0; block < blocks; block++) {
                shiftedCopy(shape, x, n * shape.imageElements() + block * shape.pixels(), outShape, out,
                        n * outShape.imageElements() + block * outShape.pixels(), pixel, top, left, 1);
            }
            return;
        }
        int from = Math.max(0, -left), to = Math.min(width, shape.width() - left);
        for (int block = 0; block < blocks; block++) {
            long source = n * shape.imageElements() + block * shape.pixels();
            long target = n * outShape.imageElements() + block * outShape.pixels();
            for (int y = 0; y < outShape.height(); y++) {
                long row = target + (long) y * width * pixel;
                int sourceRow = y + top;
                if (sourceRow < 0 || sourceRow >= shape.height() || from >= to) {
                    Floats.zero(out, row, (long) width * pixel);
                    continue;
                }
                Floats.zero(out, row, (long) from * pixel);
                long sourceAt = source + ((long) sourceRow * shape.width() + left + from) * pixel;
                MemorySegment.copy(x, sourceAt * Float.BYTES, out, (row + (long) from * pixel) * Float.BYTES,
                        (long) (to - from) * pixel * Float.BYTES);
                Floats.zero(out, row + (long) to * pixel, (long) (width - to) * pixel);
            }
        }
    }

    /**
     * PCA colour augmentation (Krizhevsky et al. 2012): each image gets the same RGB shift
     * {@code δ = Σ_i α_i·λ_i·p_i} added to every pixel, with {@code α_i = sigma·z} for the standard normal z
     * of element {@code offset + 3n + i} of {@link RandomStreams#normal} (image n, component i), and λ, p
     * from pca. δ is computed in double and rounded to float once; each value is then {@code x + δ_c}
     * rounded once.
     *
     * @param sigma the standard deviation of the α, {@code >= 0} and finite; the paper's is 0.1
     * @param shape three channels
     * @param out   x's shape; may be x (in place), must not partially overlap it
     */
    public static void pcaColourNoise(long seed, long offset, float sigma, ColourPca pca, ImageShape shape, float[] x,
                                      float[] out) {
        pcaColourNoise(seed, offset, sigma, pca, shape, Check.array(x, "x"), Check.array(out, "out"));
    }

    /** PCA colour noise on segments; see {@link #pcaColourNoise(long, long, float, ColourPca, ImageShape, float[], float[])}. */
    public static void pcaColourNoise(long seed, long offset, float sigma, ColourPca pca, ImageShape shape,
                                      MemorySegment x, MemorySegment out) {
        input(shape, x, "x");
        output(shape, out, "out");
        Check.sameOrDisjoint(out, "out", x, "x");
        Objects.requireNonNull(pca, "pca");
        if (shape.channels() != 3) {
            throw new IllegalArgumentException("shape " + shape + " has " + shape.channels()
                    + " channels; PCA colour noise takes 3 (RGB)");
        }
        Check.nonNegative(sigma, "sigma");
        Check.streamOffset(offset, 3L * shape.images());
        Kernels kernels = Providers.kernels();
        MemorySegment z = StreamScratch.get().floats(3L * shape.images());
        Streams.normal(kernels, seed, offset, null, 1f, z, 3L * shape.images());
        splitImages(shape, Parallel.shared(x, out), (n0, n1) -> addColourNoise(kernels, z, sigma, pca, shape, x, out,
                (int) n0, (int) n1));
    }

    /** Images {@code [n0, n1)} of a PCA colour noise, their normals drawn into z; tables of this thread's. */
    private static void addColourNoise(Kernels kernels, MemorySegment z, float sigma, ColourPca pca, ImageShape shape,
                                       MemorySegment x, MemorySegment out, int n0, int n1) {
        int period = Periodic.period(3);
        Tables t = Tables.get(3, period + Periodic.EXTRA);
        float[] delta = t.shifts, table = t.periodicShifts;
        for (int n = n0; n < n1; n++) {
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = 0; i < 3; i++) {
                    sum += (double) sigma * z.getAtIndex(ValueLayout.JAVA_FLOAT, 3L * n + i) * pca.eigenvalue(i)
                            * pca.component(c, i);
                }
                delta[c] = (float) sum;
            }
            long first = n * shape.imageElements();
            if (shape.layout() == ImageShape.Layout.NHWC) {
                addShift(kernels, x, out, first, shape.imageElements(), Periodic.repeat(delta, 3, table, period), period);
            } else {
                for (int c = 0; c < 3; c++) {
                    java.util.Arrays.fill(table, delta[c]);
                    addShift(kernels, x, out, first + c * shape.pixels(), shape.pixels(), table, Periodic.MIN);
                }
            }
        }
    }

    /**
     * The images of a call split over threads by whole images, parts of at least {@link #imagesPerPart}: an
     * image's work is its own, its draws made before the split, so any split gives the same bits.
     */
    private static void splitImages(ImageShape shape, boolean shared, Parallel.Part images) {
        Parallel.run(shape.images(), 1, imagesPerPart(shape), shared, images);
    }

    /** Whole images of at least {@link Parallel#ELEMENTWISE_PART} values. */
    private static long imagesPerPart(ImageShape shape) {
        return Math.max(1, Parallel.ELEMENTWISE_PART / shape.imageElements());
    }

    private static void addShift(Kernels kernels, MemorySegment x, MemorySegment out, long first, long n,
                                 float[] shifts, int period) {
        for (long base = 0; base < n; base += Chunks.MAX) {
            kernels.images().addPeriodic(x, out, first + base, Chunks.length(n, base), shifts, period,
                    (int) (base % period));
        }
    }

    /** What a warp samples outside the source image. */
    public enum Fill {
        /** Zeros (the padding of {@code torchvision.transforms.functional.affine} with fill 0). */
        ZERO,
        /** The nearest pixel of the image (OpenCV's {@code BORDER_REPLICATE}). */
        EDGE
    }

    /**
     * Affine warp with bilinear sampling, one 2×3 matrix per image mapping each output pixel to the point it
     * samples: output pixel (row y, column x) of image n takes the value at column
     * {@code u = a·x + b·y + c} and row {@code v = d·x + e·y + f} of x's image n, with
     * {@code (a, b, c, d, e, f) = matrices[6n … 6n + 5]} and pixel centres at integer coordinates (OpenCV's
     * {@code warpAffine} with {@code WARP_INVERSE_MAP}). Rotation, scaling, shear and translation, and a
     * random-resized crop (a scale and a translation), are all such matrices. Coordinates are computed in
     * double; the sample interpolates along the row, then between rows, with one fma each in float, so an
     * identity or integer-translation matrix copies pixels exactly. Each image is read through a per-thread
     * copy of at most {@code 2^31 − 1} values, which the thread keeps.
     *
     * @param matrices 6·N finite values
     * @param outShape x's N, C and layout, any height and width
     * @param out      must not overlap x
     */
    public static void warpAffine(double[] matrices, Fill fill, ImageShape shape, float[] x, ImageShape outShape,
                                  float[] out) {
        warpAffine(matrices, fill, shape, Check.array(x, "x"), outShape, Check.array(out, "out"));
    }

    /** Affine warps on segments; see {@link #warpAffine(double[], Fill, ImageShape, float[], ImageShape, float[])}. */
    public static void warpAffine(double[] matrices, Fill fill, ImageShape shape, MemorySegment x, ImageShape outShape,
                                  MemorySegment out) {
        input(shape, x, "x");
        Objects.requireNonNull(outShape, "outShape");
        output(outShape, out, "out");
        Check.disjoint(out, "out", x, "x");
        Objects.requireNonNull(fill, "fill");
        Objects.requireNonNull(matrices, "matrices");
        sameBatch(shape, outShape);
        if (shape.imageElements() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + shape + ": an image of " + shape.imageElements()
                    + " values is more than a warp takes (2^31 − 1)");
        }
        if (matrices.length != 6L * shape.images()) {
            throw new IllegalArgumentException("matrices has " + matrices.length + " values; " + shape.images()
                    + " images need 6 each, " + 6L * shape.images());
        }
        for (int k = 0; k < matrices.length; k++) {
            if (!Double.isFinite(matrices[k])) {
                throw new IllegalArgumentException("matrices[" + k + "] = " + matrices[k] + " must be finite");
            }
        }
        ImageKernels kernels = Providers.kernels().images();
        boolean planes = shape.layout() == ImageShape.Layout.NCHW;
        long imagesPerPart = Math.max(1, WARP_PART / shape.imageElements());
        Parallel.run(shape.images(), 1, imagesPerPart, Parallel.shared(x, out), (n0, n1) -> {
            for (int n = (int) n0; n < n1; n++) {
                kernels.warp(x, n * shape.imageElements(), shape.height(), shape.width(), out,
                        n * outShape.imageElements(), outShape.height(), outShape.width(), shape.channels(), planes,
                        matrices, 6 * n, fill == Fill.EDGE);
            }
        });
    }

    /**
     * A crop as wide as its image, of consecutive blocks (NCHW planes, or a whole NHWC image) of it, the
     * blocks of x and out of one size when there are several: the rows that lie in x are one shifted copy, row
     * r of out from row {@code r + top} of x moved by left pixels, with zeros in the pixels that the shift
     * brings in from the neighbouring rows ({@link dev.simdreg.internal.ImageKernels#shiftedRows}); the rows
     * outside x (between blocks, what the copy brought from the next or previous block) are then zeroed. One
     * copy instead of a copy per row: a same-size CIFAR crop (32-float rows) took 50 µs per batch row by row
     * against 13 for a copy of it; one copy per NCHW image instead of one per plane: 64×3×224×224 1.59–1.67 →
     * 1.46–1.55 ms, 32×32 within noise (measured).
     */
    private static void shiftedCopy(ImageShape shape, MemorySegment x, long source, ImageShape outShape,
                                    MemorySegment out, long target, int pixel, int top, int left, int blocks) {
        long rowLength = (long) shape.width() * pixel;
        int height = outShape.height();
        long block = height * rowLength;
        int firstRow = Math.min(height, Math.max(0, -top));
        int lastRow = Math.max(firstRow, Math.min(height, shape.height() - top));
        long cut = (long) Math.abs(left) * pixel;
        if (lastRow > firstRow && cut < rowLength) {
            long from = firstRow * rowLength, shift = (long) top * rowLength + (long) left * pixel;
            Providers.kernels().images().shiftedRows(x, source + from + shift, out, target + from,
                    (blocks - 1) * height + lastRow - firstRow, (int) rowLength, (int) (left < 0 ? 0 : rowLength - cut),
                    (int) cut);
        } else {
            firstRow = lastRow = height;
        }
        Floats.zero(out, target, firstRow * rowLength);
        for (int b = 1; b < blocks; b++) {
            Floats.zero(out, target + (b - 1) * block + lastRow * rowLength, (height - lastRow + firstRow) * rowLength);
        }
        Floats.zero(out, target + (blocks - 1) * block + lastRow * rowLength, (height - lastRow) * rowLength);
    }

    /** outShape must describe the same images as shape: layout, N and C; height and width may differ. */
    private static void sameBatch(ImageShape shape, ImageShape outShape) {
        if (outShape.layout() != shape.layout() || outShape.images() != shape.images()
                || outShape.channels() != shape.channels()) {
            throw new IllegalArgumentException("outShape " + outShape + " must have the layout, N and C of shape " + shape);
        }
    }

    private static void input(ImageShape shape, MemorySegment s, String name) {
        Objects.requireNonNull(shape, "shape");
        Check.sameSize("shape ", shape, shape.elements(), name, Check.floats(s, name));
    }

    private static void output(ImageShape shape, MemorySegment s, String name) {
        Objects.requireNonNull(shape, "shape");
        Check.sameSize("shape ", shape, shape.elements(), name, Check.output(s, name));
    }

    private static float channelValue(float[] values, int c, int channels, String name) {
        Objects.requireNonNull(values, name);
        if (values.length != channels) {
            throw new IllegalArgumentException(name + " has " + values.length + " values for " + channels + " channels");
        }
        if (!Float.isFinite(values[c])) {
            throw new IllegalArgumentException(name + "[" + c + "] = " + values[c] + " must be finite");
        }
        return values[c];
    }

    /** Per-thread coefficient tables, so that a call allocates nothing once its thread has run one as wide. */
    private static final class Tables {

        private static final ThreadLocal<Tables> PER_THREAD = ThreadLocal.withInitial(Tables::new);

        float[] scales = new float[0], shifts = new float[0];
        float[] periodicScales = new float[0], periodicShifts = new float[0];

        /** This thread's tables, at least channels and periodic entries long. */
        static Tables get(int channels, int periodic) {
            Tables t = PER_THREAD.get();
            if (t.scales.length < channels) {
                t.scales = new float[channels];
                t.shifts = new float[channels];
            }
            if (t.periodicScales.length < periodic) {
                t.periodicScales = new float[periodic];
                t.periodicShifts = new float[periodic];
            }
            return t;
        }
    }
}
