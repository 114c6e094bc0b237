package dev.simdreg.bench;

import dev.simdreg.ColourPca;
import dev.simdreg.ImageShape;
import dev.simdreg.Images;
import dev.simdreg.Simdreg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * The image kernels on a batch of 64 RGB images, 32×32 and 224×224: the conversion of 8-bit HWC pixels
 * to normalized floats (ImageNet's mean and std), per-image flips with probability 0.5, and random
 * crops of the image's own size with 4 pixels of zero padding (the CIFAR recipe), PCA colour noise (σ 0.1)
 * and an affine warp per image (a rotation by up to 10° and a scale by up to 1.1 about the centre, zero
 * fill). Native segments; each
 * call advances the stream offset, as training does. The loop is the plain Java a user would write on
 * arrays: {@code (v / 255 − mean) / std}, a SplittableRandom coin per image, element loops.
 */
@State(Scope.Benchmark)
public class ImageBenchmark {

    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};
    static final int PAD = 4;

    @Param({"vector", "scalar", "loop"})
    public String impl;

    @Param({ImageShapes.SMALL, ImageShapes.LARGE, ImageShapes.LARGE_NHWC})
    public String shape;

    private ImageShape images;
    private Arena arena;
    private MemorySegment bytes, x, y;
    private byte[] byteArray;
    private float[] xArray, yArray;
    private SplittableRandom random;
    private long offset;
    private ColourPca pca;
    private double[] matrices;

    @Setup
    public void setup() {
        images = ImageShapes.parse(shape);
        random = new SplittableRandom(5);
        matrices = Loops.rotations(random, images);
        int n = Math.toIntExact(images.elements());
        if (impl.equals("loop")) {
            byteArray = new byte[n];
            random.nextBytes(byteArray);
            xArray = new float[n];
            yArray = new float[n];
            Loops.fromBytes(byteArray, MEAN, STD, images, xArray);
            pca = ColourPca.of(images, xArray);
            return;
        }
        System.setProperty("simdreg.provider", impl);
        if (!Simdreg.provider().name().equals(impl)) {
            throw new IllegalStateException("benchmark wants " + impl + " but simdreg runs " + Simdreg.provider());
        }
        arena = Arena.ofShared();
        bytes = arena.allocate(n, 64);
        x = arena.allocate(4L * n, 64);
        y = arena.allocate(4L * n, 64);
        for (long i = 0; i < n; i++) {
            bytes.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        Images.fromBytes(bytes, MEAN, STD, images, x);
        pca = ColourPca.of(images, x);
        checkAgainstTheLoop();
    }

    /** The conversion against the plain loop's arithmetic (a few ulp apart), and a flip twice is x. */
    private void checkAgainstTheLoop() {
        byte[] b = bytes.toArray(ValueLayout.JAVA_BYTE);
        float[] expected = new float[b.length];
        Loops.fromBytes(b, MEAN, STD, images, expected);
        float[] got = x.toArray(ValueLayout.JAVA_FLOAT);
        for (int i = 0; i < got.length; i++) {
            if (Math.abs(got[i] - expected[i]) > 1e-6f * (1 + Math.abs(expected[i]))) {
                throw new IllegalStateException("fromBytes[" + i + "] = " + got[i] + ", loop " + expected[i]);
            }
        }
        Images.flipHorizontal(3, 0, 0.5f, images, x, y);
        Images.flipHorizontal(3, 0, 0.5f, images, y, y);
        if (y.mismatch(x) != -1) {
            throw new IllegalStateException("flipping twice is not the identity");
        }
    }

    @TearDown
    public void tearDown() {
        if (arena != null) {
            arena.close();
        }
    }

    @Benchmark
    public Object fromBytes() {
        if (xArray != null) {
            Loops.fromBytes(byteArray, MEAN, STD, images, yArray);
            return yArray;
        }
        Images.fromBytes(bytes, MEAN, STD, images, y);
        return y;
    }

    @Benchmark
    public Object flipHorizontal() {
        offset += images.images();
        if (xArray != null) {
            Loops.flip(random, 0.5f, images, xArray, yArray, true);
            return yArray;
        }
        Images.flipHorizontal(7, offset, 0.5f, images, x, y);
        return y;
    }

    @Benchmark
    public Object flipVertical() {
        offset += images.images();
        if (xArray != null) {
            Loops.flip(random, 0.5f, images, xArray, yArray, false);
            return yArray;
        }
        Images.flipVertical(7, offset, 0.5f, images, x, y);
        return y;
    }

    @Benchmark
    public Object randomCrop() {
        offset += 2L * images.images();
        if (xArray != null) {
            Loops.randomCrop(random, PAD, images, xArray, yArray);
            return yArray;
        }
        Images.randomCrop(7, offset, PAD, images, x, images, y);
        return y;
    }

    @Benchmark
    public Object pcaColourNoise() {
        offset += 3L * images.images();
        if (xArray != null) {
            Loops.pcaColourNoise(random, 0.1f, pca, images, xArray, yArray);
            return yArray;
        }
        Images.pcaColourNoise(7, offset, 0.1f, pca, images, x, y);
        return y;
    }

    @Benchmark
    public Object warpAffine() {
        if (xArray != null) {
            Loops.warpAffine(matrices, images, xArray, yArray);
            return yArray;
        }
        Images.warpAffine(matrices, Images.Fill.ZERO, images, x, images, y);
        return y;
    }
}
