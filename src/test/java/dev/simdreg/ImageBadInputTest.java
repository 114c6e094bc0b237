package dev.simdreg;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input to the image kernels: each case throws with a message naming the argument and its value or
 * size, and every buffer holds what it held before.
 */
class ImageBadInputTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;
    /** Two RGB images of 4×5. */
    private static final ImageShape SHAPE = ImageShape.nchw(2, 3, 4, 5);
    private static final float[] MEAN = {0.5f, 0.4f, 0.3f}, STD = {0.2f, 0.2f, 0.2f};

    /** A batch of SHAPE (x, y), a 2×3 crop of it, and bytes, all watched. */
    private static final class Batch extends KnownBuffers {
        final float[] x = watchedArray(1, 120);
        final float[] y = watchedArray(2, 120);
        final float[] short119 = watchedArray(3, 119);
        final float[] crop = watchedArray(4, 36);
        final MemorySegment sx = watchedSegment(x);
        final MemorySegment readOnly = watchedSegment(filled(5, 120)).asReadOnly();
        final byte[] bytes = new byte[120];
    }

    private final Rejections<Batch> rejections = new Rejections<>(Batch::new);

    private void expect(String name, Class<? extends Throwable> type, Rejections.Call<Batch> call, String... words) {
        rejections.expect(name, type, call, words);
    }

    @TestFactory
    Stream<DynamicTest> badInputIsRejectedBeforeAnyWrite() {
        ImageShape crop = ImageShape.nchw(2, 3, 2, 3);
        expect("bytes size", IAE, b -> Images.fromBytes(new byte[119], MEAN, STD, SHAPE, b.y), "src bytes", "119", "120");
        expect("out size", IAE, b -> Images.fromBytes(b.bytes, MEAN, STD, SHAPE, b.short119), "out", "119", "120");
        expect("std zero", IAE, b -> Images.fromBytes(b.bytes, MEAN, new float[] {0.2f, 0f, 0.2f}, SHAPE, b.y),
                "std[1] = 0.0");
        expect("mean NaN", IAE, b -> Images.fromBytes(b.bytes, new float[] {0f, Float.NaN, 0f}, STD, SHAPE, b.y),
                "mean[1] = NaN");
        expect("mean per channel", IAE, b -> Images.fromBytes(b.bytes, new float[] {0f}, STD, SHAPE, b.y),
                "mean has 1 values for 3 channels");
        expect("read-only out", IAE, b -> Images.fromBytes(MemorySegment.ofArray(b.bytes), MEAN, STD, SHAPE, b.readOnly),
                "out is read-only");
        expect("null shape", NPE, b -> Images.flipHorizontal(1, 0, 0.5f, null, b.x, b.y), "shape");
        expect("q above 1", IAE, b -> Images.flipHorizontal(1, 0, 1.5f, SHAPE, b.x, b.y), "q = 1.5");
        expect("q NaN", IAE, b -> Images.flipVertical(1, 0, Float.NaN, SHAPE, b.x, b.y), "q = NaN");
        expect("flip size", IAE, b -> Images.flipVertical(1, 0, 0.5f, SHAPE, b.x, b.short119), "out", "119");
        expect("flip partial overlap", IAE, b -> Images.flipHorizontal(1, 0, 0.5f, ImageShape.nchw(1, 1, 2, 10),
                b.sx.asSlice(0, 80), b.sx.asSlice(40, 80)), "overlap");
        expect("flip offset", IAE, b -> Images.flipHorizontal(1, -5, 0.5f, SHAPE, b.x, b.y), "offset = -5");
        expect("crop larger than padded", IAE, b -> Images.randomCrop(1, 0, 1, SHAPE, b.x, ImageShape.nchw(2, 3, 7, 2),
                new float[84]), "crop 7×2", "padded image, 6×7");
        expect("centre crop larger", IAE, b -> Images.centerCrop(SHAPE, b.x, ImageShape.nchw(2, 3, 2, 6), new float[72]),
                "crop 2×6", "image, 4×5");
        expect("negative pad", IAE, b -> Images.randomCrop(1, 0, -1, SHAPE, b.x, crop, b.crop), "pad = -1");
        expect("pad past an int", IAE, b -> Images.randomCrop(1, 0, Integer.MAX_VALUE, SHAPE, b.x, crop, b.crop),
                "pad = 2147483647", "too large");
        expect("bytes of a closed arena", IllegalStateException.class, b -> {
            Arena arena = Arena.ofConfined();
            MemorySegment src = arena.allocate(120);
            arena.close();
            Images.fromBytes(src, MEAN, STD, SHAPE, MemorySegment.ofArray(b.y));
        }, "src", "closed");
        expect("pca NaN eigenvalue", IAE, b -> new ColourPca(new double[] {Double.NaN, 0, 0},
                new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}), "eigenvalues[0] = NaN");
        expect("pca eigenvector not unit", IAE, b -> new ColourPca(new double[] {1, 0, 0},
                new double[] {2, 0, 0, 0, 1, 0, 0, 0, 1}), "eigenvectors column 0", "length 2.0");
        expect("crop channels", IAE, b -> Images.centerCrop(SHAPE, b.x, ImageShape.nchw(2, 2, 3, 3), new float[36]),
                "layout, N and C");
        expect("crop layout", IAE, b -> Images.centerCrop(SHAPE, b.x, ImageShape.nhwc(2, 2, 3, 3), b.crop),
                "layout, N and C");
        expect("crop out size", IAE, b -> Images.centerCrop(SHAPE, b.x, crop, new float[35]), "out", "35", "36");
        expect("crop into x", IAE, b -> Images.centerCrop(ImageShape.nchw(1, 1, 10, 12), b.sx,
                ImageShape.nchw(1, 1, 6, 5), b.sx.asSlice(0, 120)), "overlap");
        ColourPca pca = ColourPca.of(SHAPE, Batch.filled(6, 120));
        expect("pca sigma negative", IAE, b -> Images.pcaColourNoise(1, 0, -0.1f, pca, SHAPE, b.x, b.y), "sigma = -0.1");
        expect("pca sigma infinite", IAE, b -> Images.pcaColourNoise(1, 0, Float.POSITIVE_INFINITY, pca, SHAPE, b.x, b.y),
                "sigma = Infinity");
        expect("pca null", NPE, b -> Images.pcaColourNoise(1, 0, 0.1f, null, SHAPE, b.x, b.y), "pca");
        expect("pca four channels", IAE, b -> Images.pcaColourNoise(1, 0, 0.1f, pca, ImageShape.nchw(2, 4, 3, 5), b.x,
                b.y), "4 channels", "takes 3");
        expect("pca offset", IAE, b -> Images.pcaColourNoise(1, Long.MAX_VALUE - 2, 0.1f, pca, SHAPE, b.x, b.y), "offset");
        expect("pca of four channels", IAE, b -> ColourPca.of(ImageShape.nhwc(2, 3, 5, 4), b.x), "4 channels");
        double[] identity = {1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0};
        expect("warp matrix count", IAE, b -> Images.warpAffine(new double[6], Images.Fill.ZERO, SHAPE, b.x, SHAPE, b.y),
                "matrices has 6 values", "12");
        expect("warp matrix NaN", IAE, b -> Images.warpAffine(new double[] {1, 0, 0, 0, 1, 0, 1, 0, Double.NaN, 0, 1, 0},
                Images.Fill.EDGE, SHAPE, b.x, SHAPE, b.y), "matrices[8] = NaN");
        expect("warp null fill", NPE, b -> Images.warpAffine(identity, null, SHAPE, b.x, SHAPE, b.y), "fill");
        expect("warp channels", IAE, b -> Images.warpAffine(identity, Images.Fill.ZERO, SHAPE, b.x,
                ImageShape.nchw(2, 2, 5, 6), b.y), "layout, N and C");
        expect("warp into x", IAE, b -> Images.warpAffine(identity, Images.Fill.ZERO, SHAPE, b.sx, SHAPE, b.sx), "overlap");
        return rejections.tests();
    }

    @Test
    void shapesAreChecked() {
        var e = assertThrows(IAE, () -> ImageShape.nchw(0, 3, 4, 4));
        assertTrue(e.getMessage().contains("N=0"), e.getMessage());
        e = assertThrows(IAE, () -> ImageShape.nhwc(1, 65536, 65536, 1));
        assertTrue(e.getMessage().contains("fit in an int"), e.getMessage());
        assertThrows(NPE, () -> new ImageShape(null, 1, 1, 1, 1));
    }
}
