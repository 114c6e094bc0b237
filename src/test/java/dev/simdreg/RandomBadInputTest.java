package dev.simdreg;

import dev.simdreg.Dropout.Scaling;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

/**
 * Bad input to the random streams, dropout, noise, ensembles and initializers: each case throws with a message naming
 * the argument and its value or size, and every buffer holds what it held before.
 */
class RandomBadInputTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    /** Buffers of 100 floats (a [20, 5] batch), watched; masks filled with a known pattern. */
    private static final class Batch extends KnownBuffers {
        final float[] x = watchedArray(1, 100);
        final float[] y = watchedArray(2, 100);
        final float[] short99 = watchedArray(3, 99);
        final MemorySegment sx = watchedSegment(x);
        final MemorySegment sy = watchedSegment(y);
        final MemorySegment readOnly = watchedSegment(filled(4, 100)).asReadOnly();
        final long[] mask = {0x5A5A5A5A5A5A5A5AL, 0x5A5A5A5A5A5A5A5AL};
        final long[] shortMask = {0x5A5A5A5A5A5A5A5AL};
        final MemorySegment byteMask = watchedSegment(filled(5, 3));
        final float[] keep5 = {0.5f, 0.8f, 1f, 0.9f, 0.7f};

        @Override
        void untouchedMasks() {
            org.junit.jupiter.api.Assertions.assertEquals(0x5A5A5A5A5A5A5A5AL, mask[0]);
            org.junit.jupiter.api.Assertions.assertEquals(0x5A5A5A5A5A5A5A5AL, mask[1]);
            org.junit.jupiter.api.Assertions.assertEquals(0x5A5A5A5A5A5A5A5AL, shortMask[0]);
        }
    }

    private final Rejections<Batch> rejections = new Rejections<>(Batch::new);

    /** 16 bytes of an arena already closed. */
    private static MemorySegment closed() {
        Arena arena = Arena.ofConfined();
        MemorySegment s = arena.allocate(16);
        arena.close();
        return s;
    }

    /** 16 bytes of an arena confined to a thread that has ended. */
    private static MemorySegment otherThreads() {
        MemorySegment[] made = new MemorySegment[1];
        Thread thread = Thread.ofPlatform().start(() -> made[0] = Arena.ofConfined().allocate(16));
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return made[0];
    }

    /** -|x|: every element a negative probability. */
    private static float[] minus(float[] x) {
        float[] negative = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            negative[i] = -Math.abs(x[i]) - 0.5f;
        }
        return negative;
    }

    private void expect(String name, Class<? extends Throwable> type, Rejections.Call<Batch> call, String... words) {
        rejections.expect(name, type, call, words);
    }

    @TestFactory
    Stream<DynamicTest> badInputIsRejectedBeforeAnyWrite() {
        expect("keep 0", IAE, b -> Dropout.forward(1, 0, 0f, Scaling.INVERTED, b.x, b.y, b.mask), "keep = 0.0", "(0, 1]");
        expect("keep above 1", IAE, b -> Dropout.forward(1, 0, 1.5f, Scaling.INVERTED, b.x, b.y, null), "keep = 1.5");
        expect("keep NaN", IAE, b -> Dropout.forward(1, 0, Float.NaN, Scaling.INVERTED, b.sx, b.sy, null), "keep = NaN");
        expect("negative offset", IAE, b -> Dropout.forward(1, -1, 0.5f, Scaling.INVERTED, b.x, b.y, b.mask),
                "offset = -1");
        expect("offset past the end", IAE, b -> RandomStreams.uniform(1, Long.MAX_VALUE - 50, b.y), "offset", "n = 100");
        expect("null scaling", NPE, b -> Dropout.forward(1, 0, 0.5f, null, b.x, b.y, null), "scaling");
        expect("size mismatch", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.x, b.short99, b.mask),
                "99", "100");
        expect("long mask too small", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.x, b.y, b.shortMask),
                "mask has 1 longs", "100 elements (x) need 2");
        expect("byte mask too small", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.sx, b.sy, b.byteMask),
                "mask has 12 bytes", "need 13");
        expect("backward mask too small", IAE, b -> Dropout.backward(0.5f, Scaling.INVERTED, b.shortMask, b.x, b.y),
                "mask has 1 longs");
        expect("read-only y", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.sx, b.readOnly, null),
                "y is read-only");
        expect("read-only mask", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.sx, b.sy,
                b.sx.asReadOnly()), "mask is read-only");
        expect("mask overlapping x", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.sx, b.sy,
                b.sx.asSlice(0, 16)), "mask and x overlap");
        expect("partial overlap", IAE, b -> Dropout.forward(1, 0, 0.5f, Scaling.INVERTED, b.sx.asSlice(0, 200),
                b.sx.asSlice(4, 200), null), "partially overlaps");
        expect("per-unit keep 0", IAE, b -> Dropout.forwardPerUnit(1, 0, new float[] {0.5f, 0f, 1f, 1f, 1f},
                Scaling.INVERTED, b.x, b.y, b.mask), "keepPerUnit[1] = 0.0");
        expect("units not dividing", IAE, b -> Dropout.forwardPerUnit(1, 0, new float[] {0.5f, 0.5f, 0.5f},
                Scaling.INVERTED, b.x, b.y, b.mask), "100 elements", "3 units");
        expect("channels-last shape", IAE, b -> Dropout.forwardChannels(1, 0, 0.5f, Scaling.INVERTED,
                BatchShape.channelsLast(4, 5, 5), b.x, b.y, null), "channels-first");
        expect("shape mismatch", IAE, b -> Dropout.forwardChannels(1, 0, 0.5f, Scaling.INVERTED,
                BatchShape.channelsFirst(4, 5, 6), b.x, b.y, null), "100 elements", "N·C·S = 120");
        expect("rescale keep above 1", IAE, b -> Dropout.rescaleWeights(b.x, new float[] {1f, 2f, 1f, 1f, 1f}, b.y),
                "keepPerInput[1] = 2.0");
        expect("sigma negative", IAE, b -> Noise.addGaussian(1, 0, -0.1f, b.x, b.y), "sigma = -0.1");
        expect("sigma infinite", IAE, b -> Noise.addGaussian(1, 0, Float.POSITIVE_INFINITY, b.sx, b.sy), "sigma");
        expect("epsilon above 1", IAE, b -> Noise.labelSmoothing(new int[] {0, 1}, 50, 1.5f, b.y), "epsilon = 1.5");
        expect("class out of range", IAE, b -> Noise.labelSmoothing(new int[] {0, 50}, 50, 0.1f, b.y),
                "classes[1] = 50", "[0, 50)");
        expect("negative class", IAE, b -> Noise.labelSmoothing(new int[] {-1, 0}, 50, 0.1f, b.y), "classes[0] = -1");
        expect("label rows mismatch", IAE, b -> Noise.labelSmoothing(new int[] {0, 1, 2}, 50, 0.1f, b.y), "150", "100");
        expect("bernoulli p above 1", IAE, b -> RandomStreams.bernoulli(1, 0, 1.01f, b.mask, 100), "p = 1.01");
        expect("bernoulli mask too small", IAE, b -> RandomStreams.bernoulli(1, 0, 0.5f, b.shortMask, 100),
                "bits has 1 longs");
        expect("bound 0", IAE, b -> RandomStreams.boundedInts(1, 0, 0, new int[3]), "bound = 0");
        expect("no members", IAE, b -> Ensembles.averageProbabilities(new float[0][], b.y), "members is empty");
        expect("member size", IAE, b -> Ensembles.averageProbabilities(new float[][] {b.x, b.short99}, b.y),
                "members[1] has 99");
        expect("member is out", IAE, b -> Ensembles.averageProbabilities(new float[][] {b.x, b.y}, b.y), "overlap");
        expect("classes not dividing", IAE, b -> Ensembles.geometricMean(new float[][] {b.x}, 7, b.y), "classes = 7");
        expect("fanIn 0", IAE, b -> Initializers.glorotUniform(1, 0, 0, 5, b.y), "fanIn = 0");
        expect("fanOut negative", IAE, b -> Initializers.glorotNormal(1, 0, 5, -3, b.sy), "fanOut = -3");
        expect("fan 0", IAE, b -> Initializers.heNormal(1, 0, 0, b.y), "fan = 0");
        expect("init into read-only", IAE, b -> Initializers.heUniform(1, 0, 4, b.readOnly), "out is read-only");
        expect("init offset past the end", IAE, b -> Initializers.heUniform(1, Long.MAX_VALUE, 4, b.y), "offset");
        expect("init null out", NPE, b -> Initializers.glorotUniform(1, 0, 4, 4, (float[]) null), "out");
        // arguments named as the method's signature names them
        expect("regenerating backward null dy", NPE, b -> Dropout.backward(1, 0, 0.5f, Scaling.INVERTED, null, b.y),
                "dy");
        expect("regenerating backward read-only dx", IAE, b -> Dropout.backward(1, 0, 0.5f, Scaling.INVERTED, b.sx,
                b.readOnly), "dx is read-only");
        expect("prediction number 0", IAE, b -> Ensembles.addPrediction(b.y, b.x, 0), "k = 0");
        expect("prediction size", IAE, b -> Ensembles.addPrediction(b.y, b.short99, 2), "prediction has 99",
                "mean has 100");
        // segments checked up front, each failure naming its argument
        expect("mask of a closed arena", IllegalStateException.class, b -> Dropout.forward(1, 0, 0.5f,
                Scaling.INVERTED, b.sx, b.sy, closed()), "mask", "closed");
        expect("mask of another thread", WrongThreadException.class, b -> Dropout.backward(0.5f, Scaling.INVERTED,
                otherThreads(), b.sx, b.sy), "mask", "another thread");
        expect("bits of a closed arena", IllegalStateException.class, b -> RandomStreams.bernoulli(1, 0, 0.5f,
                closed(), 100), "bits", "closed");
        // member probabilities must be finite and >= 0
        expect("negative member probability", IAE, b -> Ensembles.geometricMean(new float[][] {b.x, minus(b.x)}, 5,
                b.y), "members[1][0]", "finite probability");
        return rejections.tests();
    }
}
