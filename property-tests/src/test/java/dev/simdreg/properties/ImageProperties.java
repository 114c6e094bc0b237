package dev.simdreg.properties;

import dev.simdreg.ImageShape;
import dev.simdreg.Images;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Image conversion, flips and crops against float64 references written from their definitions, on
 * every storage kind, both layouts, 1 to 5 channels and sizes around the vector widths.
 */
class ImageProperties {

    /**
     * (C, H, W) triples: single pixels, rows shorter and longer than a register, odd sizes, one large, and rows
     * of 2 and 4 channels that end in part of a register.
     */
    private static final int[][] SIZES = {{1, 1, 1}, {3, 1, 1}, {3, 2, 5}, {1, 7, 33}, {2, 5, 16}, {3, 17, 31},
            {4, 9, 64}, {5, 6, 7}, {3, 32, 32}, {3, 61, 67}, {2, 3, 29}, {4, 3, 13}};

    private static List<ImageShape> shapes() {
        List<ImageShape> shapes = new ArrayList<>();
        for (int[] size : SIZES) {
            for (int n : new int[] {1, 3}) {
                shapes.add(ImageShape.nchw(n, size[0], size[1], size[2]));
                shapes.add(ImageShape.nhwc(n, size[1], size[2], size[0]));
            }
        }
        // more images than the random crops draw corners for at a time (256)
        shapes.add(ImageShape.nchw(300, 1, 2, 3));
        shapes.add(ImageShape.nhwc(300, 2, 3, 1));
        // runs of images flipped alike longer than a word of draws (64), on rows of whole registers
        shapes.add(ImageShape.nchw(70, 2, 3, 16));
        shapes.add(ImageShape.nhwc(70, 3, 8, 2));
        return shapes;
    }

    /** Index of (n, c, y, x) in a buffer of this shape. */
    private static long at(ImageShape s, long n, long c, long y, long x) {
        return s.layout() == ImageShape.Layout.NCHW
                ? ((n * s.channels() + c) * s.height() + y) * s.width() + x
                : ((n * s.height() + y) * s.width() + x) * s.channels() + c;
    }

    private static float[] randomFloats(long n, SplittableRandom random) {
        float[] values = new float[(int) n];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void bytesBecomeNormalizedFloats() {
        SplittableRandom random = new SplittableRandom(1);
        for (ImageShape shape : shapes()) {
            byte[] src = new byte[(int) shape.elements()];
            random.nextBytes(src);
            int c = shape.channels();
            float[] mean = new float[c], std = new float[c];
            for (int k = 0; k < c; k++) {
                mean[k] = (float) random.nextDouble();
                std[k] = (float) (0.05 + random.nextDouble());
            }
            for (Storage storage : Storage.values()) {
                try (Arena arena = Arena.ofConfined()) {
                    var out = storage.hold(arena, new float[(int) shape.elements()]);
                    if (storage.usesArrayApi()) {
                        Images.fromBytes(src, mean, std, shape, out.array());
                    } else {
                        MemorySegment bytes = storage == Storage.HEAP_SEGMENT ? MemorySegment.ofArray(src)
                                : arena.allocate(src.length + 1L).asSlice(1, src.length);
                        MemorySegment.copy(src, 0, bytes, ValueLayout.JAVA_BYTE, 0, src.length);
                        Images.fromBytes(bytes, mean, std, shape, out.segment());
                    }
                    float[] got = out.read();
                    for (int n = 0; n < shape.images(); n++) {
                        for (int y = 0; y < shape.height(); y++) {
                            for (int x = 0; x < shape.width(); x++) {
                                for (int k = 0; k < c; k++) {
                                    int v = src[(int) ((((long) n * shape.height() + y) * shape.width() + x) * c + k)] & 0xFF;
                                    double expected = (v / 255.0 - mean[k]) / std[k];
                                    double bound = 0x1p-22 * (v / (255.0 * std[k]) + Math.abs(mean[k] / std[k]));
                                    float value = got[(int) at(shape, n, k, y, x)];
                                    assertTrue(Math.abs(value - expected) <= bound, () -> shape + " " + storage
                                            + ": " + value + " for byte " + v + ", expected " + expected);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void flipsMirrorTheImagesTheStreamPicks() {
        SplittableRandom random = new SplittableRandom(2);
        for (ImageShape shape : shapes()) {
            float[] x = randomFloats(shape.elements(), random);
            long seed = random.nextLong(), offset = random.nextLong(1L << 40);
            for (float q : new float[] {0f, 0.5f, 1f, 0.3f}) {
                for (boolean horizontal : new boolean[] {true, false}) {
                    for (Storage storage : Storage.values()) {
                        checkFlip(horizontal, seed, offset, q, shape, storage, x, false);
                        checkFlip(horizontal, seed, offset, q, shape, storage, x, true);
                    }
                }
            }
        }
    }

    private static void checkFlip(boolean horizontal, long seed, long offset, float q, ImageShape shape,
                                  Storage storage, float[] x, boolean inPlace) {
        try (Arena arena = Arena.ofConfined()) {
            var in = storage.hold(arena, x);
            var out = inPlace ? in : storage.hold(arena, new float[x.length]);
            flip(horizontal, seed, offset, q, shape, storage, in, out);
            float[] got = out.read();
            for (int n = 0; n < shape.images(); n++) {
                boolean flipped = ReferenceStreams.kept(seed, offset + n, q);
                for (int k = 0; k < shape.channels(); k++) {
                    for (int y = 0; y < shape.height(); y++) {
                        for (int c = 0; c < shape.width(); c++) {
                            int sy = flipped && !horizontal ? shape.height() - 1 - y : y;
                            int sx = flipped && horizontal ? shape.width() - 1 - c : c;
                            assertEquals(x[(int) at(shape, n, k, sy, sx)], got[(int) at(shape, n, k, y, c)],
                                    shape + " " + storage + (inPlace ? " in place" : "") + " q = " + q
                                            + (horizontal ? " horizontal" : " vertical") + " image " + n);
                        }
                    }
                }
            }
            flip(horizontal, seed, offset, q, shape, storage, out, out);
            assertArrayEquals(x, out.read(), "flipping twice is the identity");
        }
    }

    private static void flip(boolean horizontal, long seed, long offset, float q, ImageShape shape, Storage storage,
                             Storage.Buffer in, Storage.Buffer out) {
        if (storage.usesArrayApi() && horizontal) {
            Images.flipHorizontal(seed, offset, q, shape, in.array(), out.array());
        } else if (storage.usesArrayApi()) {
            Images.flipVertical(seed, offset, q, shape, in.array(), out.array());
        } else if (horizontal) {
            Images.flipHorizontal(seed, offset, q, shape, in.segment(), out.segment());
        } else {
            Images.flipVertical(seed, offset, q, shape, in.segment(), out.segment());
        }
    }

    @Test
    void cropsAreTheReferenceSlices() {
        SplittableRandom random = new SplittableRandom(3);
        for (ImageShape shape : shapes()) {
            float[] x = randomFloats(shape.elements(), random);
            for (int trial = 0; trial < 3; trial++) {
                int pad = trial == 0 ? 0 : random.nextInt(5);
                boolean centre = trial == 0;
                int cropH = 1 + random.nextInt(shape.height() + 2 * pad), cropW = 1 + random.nextInt(shape.width() + 2 * pad);
                if (trial == 1) {
                    // the CIFAR recipe: the image's own size from the padded image (one shifted copy per plane)
                    cropH = shape.height();
                    cropW = shape.width();
                    pad = 1 + random.nextInt(4);
                }
                if (centre) {
                    cropH = 1 + random.nextInt(shape.height());
                    cropW = 1 + random.nextInt(shape.width());
                }
                ImageShape outShape = new ImageShape(shape.layout(), shape.images(), shape.channels(), cropH, cropW);
                long seed = random.nextLong(), offset = random.nextLong(1L << 40);
                for (Storage storage : Storage.values()) {
                    try (Arena arena = Arena.ofConfined()) {
                        var in = storage.hold(arena, x);
                        var out = storage.hold(arena, new float[(int) outShape.elements()]);
                        crop(centre, seed, offset, pad, shape, outShape, storage, in, out);
                        float[] got = out.read();
                        for (int n = 0; n < shape.images(); n++) {
                            long top, left;
                            if (centre) {
                                top = Math.round(Math.rint((shape.height() - cropH) / 2.0));
                                left = Math.round(Math.rint((shape.width() - cropW) / 2.0));
                            } else {
                                top = ReferenceStreams.bounded(seed, offset + 2L * n, shape.height() + 2 * pad - cropH + 1) - pad;
                                left = ReferenceStreams.bounded(seed, offset + 2L * n + 1, shape.width() + 2 * pad - cropW + 1) - pad;
                            }
                            for (int k = 0; k < shape.channels(); k++) {
                                for (int y = 0; y < cropH; y++) {
                                    for (int c = 0; c < cropW; c++) {
                                        long sy = y + top, sx = c + left;
                                        boolean inside = sy >= 0 && sy < shape.height() && sx >= 0 && sx < shape.width();
                                        float expected = inside ? x[(int) at(shape, n, k, sy, sx)] : 0f;
                                        assertEquals(expected, got[(int) at(outShape, n, k, y, c)], shape + " → " + outShape
                                                + " pad " + pad + " " + storage + " image " + n + " at " + y + "," + c);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void crop(boolean centre, long seed, long offset, int pad, ImageShape shape, ImageShape outShape,
                             Storage storage, Storage.Buffer in, Storage.Buffer out) {
        if (centre && storage.usesArrayApi()) {
            Images.centerCrop(shape, in.array(), outShape, out.array());
        } else if (centre) {
            Images.centerCrop(shape, in.segment(), outShape, out.segment());
        } else if (storage.usesArrayApi()) {
            Images.randomCrop(seed, offset, pad, shape, in.array(), outShape, out.array());
        } else {
            Images.randomCrop(seed, offset, pad, shape, in.segment(), outShape, out.segment());
        }
    }

    /** Covariance of the three channels of every pixel, straight from its definition. */
    private static double[] covariance(ImageShape shape, float[] x) {
        long pixels = shape.images() * shape.pixels();
        double[] mean = new double[3], cov = new double[9];
        for (int n = 0; n < shape.images(); n++) {
            for (int y = 0; y < shape.height(); y++) {
                for (int c = 0; c < shape.width(); c++) {
                    for (int k = 0; k < 3; k++) {
                        mean[k] += x[(int) at(shape, n, k, y, c)] / (double) pixels;
                    }
                }
            }
        }
        for (int n = 0; n < shape.images(); n++) {
            for (int y = 0; y < shape.height(); y++) {
                for (int c = 0; c < shape.width(); c++) {
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 3; j++) {
                            cov[3 * i + j] += (x[(int) at(shape, n, i, y, c)] - mean[i])
                                    * (x[(int) at(shape, n, j, y, c)] - mean[j]) / pixels;
                        }
                    }
                }
            }
        }
        return cov;
    }

    /** Correlated RGB values: a random 3×3 mix of three independent normals plus an offset. */
    private static float[] colourImages(ImageShape shape, SplittableRandom random, double[] mix) {
        float[] x = new float[(int) shape.elements()];
        for (int n = 0; n < shape.images(); n++) {
            for (int y = 0; y < shape.height(); y++) {
                for (int c = 0; c < shape.width(); c++) {
                    double[] g = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
                    for (int k = 0; k < 3; k++) {
                        x[(int) at(shape, n, k, y, c)] = (float) (0.5 + mix[3 * k] * g[0] + mix[3 * k + 1] * g[1]
                                + mix[3 * k + 2] * g[2]);
                    }
                }
            }
        }
        return x;
    }

    @Test
    void colourPcaReconstructsTheCovariance() {
        SplittableRandom random = new SplittableRandom(4);
        double[][] mixes = {{0.2, 0.1, 0, 0.1, 0.3, 0.05, 0, 0.05, 0.25}, {0.1, 0, 0, 0, 0.1, 0, 0, 0, 0.1},
                {0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3}, {1e-3, 0, 0, 0, 2, 0, 0, 0, 5e2}};
        for (double[] mix : mixes) {
            for (ImageShape shape : List.of(ImageShape.nchw(3, 3, 17, 9), ImageShape.nhwc(2, 5, 31, 3))) {
                float[] x = colourImages(shape, random, mix);
                dev.simdreg.ColourPca pca = dev.simdreg.ColourPca.of(shape, x);
                double[] cov = covariance(shape, x), lambda = pca.eigenvalues(), p = pca.eigenvectors();
                double scale = Math.abs(cov[0]) + Math.abs(cov[4]) + Math.abs(cov[8]);
                assertTrue(lambda[0] >= lambda[1] && lambda[1] >= lambda[2] && lambda[2] >= 0,
                        () -> "eigenvalues descending, non-negative: " + java.util.Arrays.toString(lambda));
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        double rebuilt = 0, dot = 0;
                        for (int k = 0; k < 3; k++) {
                            rebuilt += lambda[k] * p[3 * i + k] * p[3 * j + k];
                            dot += p[3 * k + i] * p[3 * k + j];
                        }
                        assertEquals(cov[3 * i + j], rebuilt, 1e-12 * scale, "Σ λ p pᵀ = covariance at " + i + "," + j);
                        assertEquals(i == j ? 1 : 0, dot, 1e-13, "eigenvectors orthonormal at " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void pcaNoiseShiftsEveryPixelOfAnImageByOneRgbVector() {
        SplittableRandom random = new SplittableRandom(6);
        double[] mix = {0.2, 0.1, 0, 0.1, 0.3, 0.05, 0, 0.05, 0.25};
        for (ImageShape base : List.of(ImageShape.nchw(4, 3, 7, 33), ImageShape.nhwc(3, 17, 16, 3),
                ImageShape.nchw(1, 3, 1, 1))) {
            float[] x = colourImages(base, random, mix);
            dev.simdreg.ColourPca pca = dev.simdreg.ColourPca.of(base, x);
            double[] lambda = pca.eigenvalues(), p = pca.eigenvectors();
            long seed = random.nextLong(), offset = random.nextLong(1L << 40);
            float sigma = 0.1f;
            for (Storage storage : Storage.values()) {
                for (boolean inPlace : new boolean[] {false, true}) {
                    try (Arena arena = Arena.ofConfined()) {
                        var in = storage.hold(arena, x);
                        var out = inPlace ? in : storage.hold(arena, new float[x.length]);
                        if (storage.usesArrayApi()) {
                            Images.pcaColourNoise(seed, offset, sigma, pca, base, in.array(), out.array());
                        } else {
                            Images.pcaColourNoise(seed, offset, sigma, pca, base, in.segment(), out.segment());
                        }
                        float[] got = out.read();
                        for (int n = 0; n < base.images(); n++) {
                            double[] delta = new double[3];
                            double bound = 0;
                            for (int i = 0; i < 3; i++) {
                                double z = ReferenceStreams.normal(seed, offset + 3L * n + i);
                                double zBound = 3e-7 * (1 + ReferenceStreams.radius(seed, offset + 3L * n + i));
                                for (int c = 0; c < 3; c++) {
                                    delta[c] += sigma * z * lambda[i] * p[3 * c + i];
                                }
                                bound += sigma * (Math.abs(z) + zBound) * lambda[i] * 0x1p-23 + sigma * zBound * lambda[i];
                            }
                            for (int k = 0; k < 3; k++) {
                                for (int y = 0; y < base.height(); y++) {
                                    for (int c = 0; c < base.width(); c++) {
                                        double expected = x[(int) at(base, n, k, y, c)] + delta[k];
                                        double tolerance = bound + 0x1p-23 * Math.abs(expected);
                                        float value = got[(int) at(base, n, k, y, c)];
                                        assertTrue(Math.abs(value - expected) <= tolerance, () -> base + " " + storage
                                                + ": " + value + ", expected " + expected);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** Bilinear sample of a channel of image n at (u, v) in double, neighbours outside 0 or clamped. */
    private static double bilinear(ImageShape s, float[] x, int n, int k, double u, double v, boolean edge,
                                   double[] largest) {
        double u0 = Math.floor(u), v0 = Math.floor(v), f = u - u0, g = v - v0;
        double[] corner = new double[4];
        for (int i = 0; i < 4; i++) {
            long row = (long) v0 + (i >> 1), col = (long) u0 + (i & 1);
            if (edge) {
                row = Math.min(Math.max(row, 0), s.height() - 1);
                col = Math.min(Math.max(col, 0), s.width() - 1);
            }
            boolean inside = row >= 0 && row < s.height() && col >= 0 && col < s.width();
            corner[i] = inside ? x[(int) at(s, n, k, row, col)] : 0;
            largest[0] = Math.max(largest[0], Math.abs(corner[i]));
        }
        return (1 - g) * ((1 - f) * corner[0] + f * corner[1]) + g * ((1 - f) * corner[2] + f * corner[3]);
    }

    @Test
    void warpsAreBilinearSamplesAndExactOnIntegerShifts() {
        SplittableRandom random = new SplittableRandom(7);
        for (ImageShape shape : shapes()) {
            float[] x = randomFloats(shape.elements(), random);
            for (int trial = 0; trial < 4; trial++) {
                int outH = trial < 2 ? shape.height() : 1 + random.nextInt(2 * shape.height());
                int outW = trial < 2 ? shape.width() : 1 + random.nextInt(2 * shape.width());
                ImageShape outShape = new ImageShape(shape.layout(), shape.images(), shape.channels(), outH, outW);
                double[] m = new double[6 * shape.images()];
                for (int n = 0; n < shape.images(); n++) {
                    if (trial == 0) {
                        m[6 * n] = 1;
                        m[6 * n + 4] = 1;
                    } else if (trial == 1) {
                        m[6 * n] = 1;
                        m[6 * n + 4] = 1;
                        m[6 * n + 2] = random.nextInt(7) - 3;
                        m[6 * n + 5] = random.nextInt(7) - 3;
                    } else {
                        double angle = random.nextDouble(-Math.PI, Math.PI), scale = random.nextDouble(0.5, 2);
                        m[6 * n] = scale * Math.cos(angle);
                        m[6 * n + 1] = -scale * Math.sin(angle);
                        m[6 * n + 3] = scale * Math.sin(angle);
                        m[6 * n + 4] = scale * Math.cos(angle);
                        m[6 * n + 2] = random.nextDouble(-3, shape.width() + 3);
                        m[6 * n + 5] = random.nextDouble(-3, shape.height() + 3);
                    }
                }
                boolean exact = trial < 2;
                for (Images.Fill fill : Images.Fill.values()) {
                    for (Storage storage : Storage.values()) {
                        try (Arena arena = Arena.ofConfined()) {
                            var in = storage.hold(arena, x);
                            var out = storage.hold(arena, new float[(int) outShape.elements()]);
                            if (storage.usesArrayApi()) {
                                Images.warpAffine(m, fill, shape, in.array(), outShape, out.array());
                            } else {
                                Images.warpAffine(m, fill, shape, in.segment(), outShape, out.segment());
                            }
                            float[] got = out.read();
                            for (int n = 0; n < shape.images(); n++) {
                                for (int k = 0; k < shape.channels(); k++) {
                                    for (int y = 0; y < outH; y++) {
                                        for (int c = 0; c < outW; c++) {
                                            double u = m[6 * n] * c + m[6 * n + 1] * y + m[6 * n + 2];
                                            double v = m[6 * n + 3] * c + m[6 * n + 4] * y + m[6 * n + 5];
                                            double[] largest = {0};
                                            double expected = bilinear(shape, x, n, k, u, v, fill == Images.Fill.EDGE,
                                                    largest);
                                            float value = got[(int) at(outShape, n, k, y, c)];
                                            String where = shape + " → " + outShape + " " + fill + " " + storage
                                                    + " image " + n + " at " + y + "," + c;
                                            if (exact) {
                                                assertEquals((float) expected, value, where);
                                            } else {
                                                assertTrue(Math.abs(value - expected) <= 8 * 0x1p-24 * largest[0],
                                                        () -> where + ": " + value + ", expected " + expected);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
