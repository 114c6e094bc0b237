package dev.simdreg;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Kernels on every kind of segment give the same floats. The vector kernels are compiled once per class of
 * segment, and over an array other than float[] they load and store in that array's lane type, so each
 * class needs a caller: here segments over byte[], long[] and int[], read-only views, and native ones
 * aligned and at an odd offset, each against the float[] form, and calls that mix classes.
 */
class SegmentKindsTest {

    private static final int N = 1021;

    private static float[] values() {
        SplittableRandom random = new SplittableRandom(9);
        float[] x = new float[N + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void everyKindOfSegmentGivesTheArrayResult() {
        float[] x = values();
        float[] expected = new float[x.length];
        Penalties.softThreshold(x, 0.3f, expected);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] inputs = {MemorySegment.ofArray(new byte[4 * x.length]),
                    MemorySegment.ofArray(new long[x.length / 2]), MemorySegment.ofArray(new int[x.length]),
                    arena.allocate(4L * x.length, 64), arena.allocate(4L * x.length + 4).asSlice(4)};
            MemorySegment[] outputs = {MemorySegment.ofArray(new int[x.length]),
                    MemorySegment.ofArray(new byte[4 * x.length]), arena.allocate(4L * x.length, 64),
                    MemorySegment.ofArray(new long[x.length / 2]), MemorySegment.ofArray(new float[x.length])};
            for (int k = 0; k < inputs.length; k++) {
                MemorySegment.copy(x, 0, inputs[k], ValueLayout.JAVA_FLOAT_UNALIGNED, 0, x.length);
                Penalties.softThreshold(inputs[k].asReadOnly(), 0.3f, outputs[k]);
                assertArrayEquals(expected, outputs[k].toArray(ValueLayout.JAVA_FLOAT_UNALIGNED),
                        inputs[k] + " into " + outputs[k]);
            }
        }
    }

    @Test
    void bytesOfEveryKindConvertAlike() {
        ImageShape shape = ImageShape.nchw(2, 3, 7, 11);
        byte[] src = new byte[(int) shape.elements()];
        new SplittableRandom(3).nextBytes(src);
        float[] mean = {0.4f, 0.5f, 0.6f}, std = {0.2f, 0.3f, 0.25f};
        float[] expected = new float[src.length];
        Images.fromBytes(src, mean, std, shape, expected);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] sources = {arena.allocate(src.length + 3L).asSlice(3), MemorySegment.ofArray(new int[src.length / 4 + 1])
                    .asSlice(0, src.length)};
            for (MemorySegment source : sources) {
                MemorySegment.copy(src, 0, source, ValueLayout.JAVA_BYTE, 0, src.length);
                MemorySegment out = arena.allocate(4L * src.length);
                Images.fromBytes(source, mean, std, shape, out);
                assertArrayEquals(expected, out.toArray(ValueLayout.JAVA_FLOAT), source.toString());
            }
        }
    }
}
