package dev.simdreg.properties;

import dev.simdreg.BatchShape;
import dev.simdreg.Dropout;
import dev.simdreg.Dropout.Scaling;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Dropout against its definition: kept elements are {@code x·fl(1/π)} rounded once (or x), dropped ones
 * +0, keep bits those of the stream; backward from the mask and from (seed, offset) agree with it.
 */
class DropoutProperties {

    private static float keepOf(Values values) {
        return values.coin() ? values.uniform(0.05, 1) : new float[] {1f, 0.5f, 0.8f, 0x1p-17f}[(int) values.uniform(0, 3.99)];
    }

    /** Expected output: kept ? x·scale (rounded once) : +0, scale = fl(1/keep[unit]) or 1. */
    private static void assertDropout(float[] x, float[] y, long[] bits, float[] keep, Scaling scaling, long seed,
                                      long offset) {
        for (int i = 0; i < x.length; i++) {
            int unit = i % keep.length;
            long element = i;
            boolean kept = ReferenceStreams.kept(seed, offset + element, keep[unit]);
            float scale = scaling == Scaling.INVERTED ? 1f / keep[unit] : 1f;
            if (kept) {
                Close.exactly((double) x[i] * scale, y[i], "y[" + i + "]");
            } else {
                assertEquals(0, Float.floatToRawIntBits(y[i]), "y[" + i + "] dropped is +0");
            }
            if (bits != null) {
                assertEquals(kept, (bits[(int) (element >>> 6)] >>> (element & 63) & 1) != 0, "mask bit " + element);
            }
        }
    }

    @Test
    void forwardAndBothBackwardsFollowTheStream() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            float keep = keepOf(values);
            Scaling scaling = values.coin() ? Scaling.INVERTED : Scaling.UNSCALED;
            long seed = (long) values.uniform(0, 1e9), offset = (long) values.uniform(0, 1e6);
            float[] x = values.floats(shape.n());
            float[] dy = values.floats(shape.n());
            long[] mask = new long[(shape.n() + 63) / 64];
            try (Arena arena = Arena.ofConfined()) {
                var xb = shape.storage().hold(arena, x);
                var yb = shape.storage().hold(arena, new float[shape.n()]);
                var dyb = shape.storage().hold(arena, dy);
                var fromMask = shape.storage().hold(arena, new float[shape.n()]);
                var fromSeed = shape.storage().hold(arena, new float[shape.n()]);
                if (shape.storage().usesArrayApi()) {
                    Dropout.forward(seed, offset, keep, scaling, xb.array(), yb.array(), mask);
                    Dropout.backward(keep, scaling, mask, dyb.array(), fromMask.array());
                    Dropout.backward(seed, offset, keep, scaling, dyb.array(), fromSeed.array());
                } else {
                    MemorySegment byteMask = arena.allocate(mask.length * 8L);
                    Dropout.forward(seed, offset, keep, scaling, xb.segment(), yb.segment(), byteMask);
                    Dropout.backward(keep, scaling, byteMask, dyb.segment(), fromMask.segment());
                    Dropout.backward(seed, offset, keep, scaling, dyb.segment(), fromSeed.segment());
                    MemorySegment.copy(byteMask, ValueLayout.JAVA_LONG_UNALIGNED, 0, mask, 0, mask.length);
                }
                assertDropout(x, yb.read(), mask, new float[] {keep}, scaling, seed, offset);
                if (shape.n() % 64 != 0) {
                    assertEquals(0, mask[shape.n() >>> 6] >>> (shape.n() & 63), "mask bits past n are cleared");
                }
                assertDropout(dy, fromMask.read(), null, new float[] {keep}, scaling, seed, offset);
                assertArrayEquals(fromMask.read(), fromSeed.read(), "backward from the mask = from (seed, offset)");
            }
        });
    }

    @Test
    void inPlaceForwardEqualsOutOfPlace() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            float[] x = values.floats(shape.n());
            float[] y = new float[shape.n()];
            float[] inPlace = x.clone();
            Dropout.forward(5, 77, 0.6f, Scaling.INVERTED, x, y, null);
            Dropout.forward(5, 77, 0.6f, Scaling.INVERTED, inPlace, inPlace, null);
            assertArrayEquals(y, inPlace);
        });
    }

    @Test
    void perUnitKeepProbabilities() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            int units = new int[] {1, 3, 17, 100}[(int) values.uniform(0, 3.99)];
            int rows = Math.max(1, shape.n() / units);
            float[] keep = new float[units];
            for (int c = 0; c < units; c++) {
                keep[c] = keepOf(values);
            }
            Scaling scaling = values.coin() ? Scaling.INVERTED : Scaling.UNSCALED;
            long seed = (long) values.uniform(0, 1e9), offset = (long) values.uniform(0, 1e6);
            float[] x = values.floats(rows * units);
            long[] mask = new long[(x.length + 63) / 64];
            float[] y = new float[x.length];
            float[] dx = new float[x.length];
            if (shape.storage().usesArrayApi()) {
                Dropout.forwardPerUnit(seed, offset, keep, scaling, x, y, mask);
                Dropout.backwardPerUnit(keep, scaling, mask, x, dx);
            } else {
                MemorySegment byteMask = MemorySegment.ofArray(new byte[mask.length * 8]);
                Dropout.forwardPerUnit(seed, offset, keep, scaling, MemorySegment.ofArray(x), MemorySegment.ofArray(y),
                        byteMask);
                Dropout.backwardPerUnit(keep, scaling, byteMask, MemorySegment.ofArray(x), MemorySegment.ofArray(dx));
                MemorySegment.copy(byteMask, ValueLayout.JAVA_LONG_UNALIGNED, 0, mask, 0, mask.length);
            }
            assertDropout(x, y, mask, keep, scaling, seed, offset);
            assertArrayEquals(y, dx, "backward from the mask applies the same mask and scales");
        });
    }

    @Test
    void channelWiseDropsWholePlanes() {
        for (int spatial : new int[] {1, 7, 64, 49}) {
            for (int channels : new int[] {1, 3, 64}) {
                BatchShape shape = BatchShape.channelsFirst(5, channels, spatial);
                float[] x = new float[(int) shape.elements()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i % 2 == 0 ? Float.NaN : i * 0.5f - 100;
                }
                float[] y = new float[x.length];
                float[] dx = new float[x.length];
                long[] mask = new long[(5 * channels + 63) / 64];
                Dropout.forwardChannels(9, 1234, 0.7f, Scaling.INVERTED, shape, x, y, mask);
                Dropout.backwardChannels(0.7f, Scaling.INVERTED, shape, mask, x, dx);
                for (int i = 0; i < x.length; i++) {
                    long plane = i / spatial;
                    boolean kept = ReferenceStreams.kept(9, 1234 + plane, 0.7);
                    assertEquals(kept, (mask[(int) (plane >>> 6)] >>> (plane & 63) & 1) != 0, "bit " + plane);
                    if (kept) {
                        Close.exactly((double) x[i] * (1f / 0.7f), y[i], "y[" + i + "]");
                    } else {
                        assertEquals(0, Float.floatToRawIntBits(y[i]), "dropped plane element " + i);
                    }
                }
                assertArrayEquals(y, dx);
                float[] regenerated = new float[x.length];
                Dropout.forwardChannels(9, 1234, 0.7f, Scaling.INVERTED, shape, x, regenerated, null);
                assertArrayEquals(y, regenerated, "no mask: the same output");
            }
        }
    }

    @Test
    void rescaledWeightsAreKeepTimesWeight() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            int inputs = new int[] {1, 5, 16, 33}[(int) values.uniform(0, 3.99)];
            float[] w = values.floats(Math.max(1, shape.n() / inputs) * inputs);
            float[] keep = new float[inputs];
            for (int j = 0; j < inputs; j++) {
                keep[j] = keepOf(values);
            }
            float[] out = new float[w.length];
            Dropout.rescaleWeights(w, keep, out);
            for (int i = 0; i < w.length; i++) {
                Close.exactly((double) w[i] * keep[i % inputs], out[i], "w~[" + i + "]");
            }
        });
    }
}
