package dev.simdreg.properties;

import dev.simdreg.internal.Kernels;
import dev.simdreg.internal.OptimizerKernels;
import dev.simdreg.internal.vector.VectorProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Element-wise kernels give the same bits on the vector provider, at this run's width, as on the
 * scalar one; so they give the same bits at every width. (Reductions may differ in the last bits and
 * are checked against float64 only.) Runs where the Vector API module is present.
 */
class ProviderEquivalenceProperties {

    private static Kernels vector;
    private static final Kernels SCALAR = Kernels.scalar();

    @BeforeAll
    static void vectorKernels() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "no Vector API in this run");
        vector = VectorProvider.kernels();
    }

    @Test
    void softThresholdAndProximalStep() {
        sameBits(3, Values.ALL, (k, b) -> k.penalties().softThreshold(b[0], b[1], 0, count(b[0]), 0.75f));
        sameBits(2, Values.ALL, (k, b) -> k.penalties().proximalL1Step(b[0], b[1], 0, count(b[0]), 0.3f, 0.01f));
        sameBits(1, Values.ALL, (k, b) -> k.penalties().scale(b[0], 0, count(b[0]), 0.37f));
    }

    @Test
    void optimizers() {
        sameBits(2, Values.ALL, (k, b) -> k.optimizers().sgd(b[0], b[1], 0, count(b[0]), 0.1f, 0.01f));
        for (boolean nesterov : new boolean[] {false, true}) {
            for (boolean first : new boolean[] {false, true}) {
                sameBits(3, Values.ALL, (k, b) -> k.optimizers().sgdMomentum(b[0], b[1], b[2], 0, count(b[0]),
                        0.1f, 0.01f, 0.9f, nesterov ? 1f : 0.8f, nesterov, first));
            }
        }
        var step = new OptimizerKernels.AdamWStep(0.999f, 0.1f, 0.999f, 0.001f, 0.0123f, 1.7f, 1e-8f);
        sameBits(4, Values.ALL, (k, b) -> k.optimizers().adamW(b[0], b[1], b[2], b[3], 0, count(b[0]), step));
    }

    @Test
    void averaging() {
        sameBits(2, Values.ALL, (k, b) -> k.averaging().linearAverage(b[0], b[1], 0, count(b[0]), 1f / 7));
        sameBits(2, Values.ALL, (k, b) -> k.averaging().exponentialAverage(b[0], b[1], 0, count(b[0]), 0.999f));
    }

    /** Philox words, normals and keep bits: the same bits on both providers, from tiles anywhere in the stream. */
    @Test
    void randomStreams() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        int[] thresholds = new int[16 + 64];
        for (int trial = 0; trial < 200; trial++) {
            long seed = random.nextLong(), firstTile = random.nextLong(1L << 50);
            int tiles = 1 + random.nextInt(16);
            int[] v = new int[(tiles + 4) * 32], s = new int[(tiles + 4) * 32];
            vector.random().words(seed, firstTile, tiles, v);
            SCALAR.random().words(seed, firstTile, tiles, s);
            assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOf(s, tiles * 32)),
                    java.util.Arrays.toString(java.util.Arrays.copyOf(v, tiles * 32)), "words");
            float[] vn = new float[v.length], sn = new float[s.length];
            vector.random().normals(v, tiles, vn);
            SCALAR.random().normals(s, tiles, sn);
            for (int k = 0; k < tiles * 32; k++) {
                assertEquals(Float.floatToRawIntBits(sn[k]), Float.floatToRawIntBits(vn[k]), "normal " + k);
            }
            java.util.Arrays.fill(thresholds, random.nextInt(65537));
            for (int c = 0; c < 16; c += 1 + random.nextInt(4)) {
                thresholds[c] = thresholds[c + 16] = thresholds[c + 32] = thresholds[c + 48] = thresholds[c + 64]
                        = random.nextInt(65537);
            }
            long[] vb = new long[tiles], sb = new long[tiles];
            int phase = random.nextInt(16);
            vector.random().keepBits(v, tiles, thresholds, 16, phase, vb);
            SCALAR.random().keepBits(s, tiles, thresholds, 16, phase, sb);
            assertEquals(java.util.Arrays.toString(sb), java.util.Arrays.toString(vb), "keep bits");
        }
    }

    /** A kernel call on one provider's kernels and buffers. */
    private interface Call {
        void run(Kernels kernels, MemorySegment[] buffers);
    }

    /** Runs call on both providers with the same inputs and compares every buffer afterwards. */
    private static void sameBits(int buffers, Values.Kind[] kinds, Call call) {
        Shape.forEvery(kinds, (shape, values) -> {
            float[][] inputs = new float[buffers][];
            for (int b = 0; b < buffers; b++) {
                inputs[b] = values.floats(shape.n());
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment[] onVector = hold(arena, shape, inputs);
                MemorySegment[] onScalar = hold(arena, shape, inputs);
                call.run(vector, onVector);
                call.run(SCALAR, onScalar);
                for (int b = 0; b < buffers; b++) {
                    float[] v = onVector[b].toArray(ValueLayout.JAVA_FLOAT);
                    float[] s = onScalar[b].toArray(ValueLayout.JAVA_FLOAT);
                    for (int i = 0; i < v.length; i++) {
                        int index = i;
                        int buffer = b;
                        // floatToIntBits folds NaN payloads, which the two paths need not share
                        assertEquals(Float.floatToIntBits(s[i]), Float.floatToIntBits(v[i]),
                                () -> "buffer " + buffer + " [" + index + "]: scalar " + s[index] + ", vector " + v[index]);
                    }
                }
            }
        });
    }

    private static int count(MemorySegment s) {
        return Math.toIntExact(s.byteSize() / Float.BYTES);
    }

    private static MemorySegment[] hold(Arena arena, Shape shape, float[][] inputs) {
        MemorySegment[] segments = new MemorySegment[inputs.length];
        for (int b = 0; b < inputs.length; b++) {
            segments[b] = shape.storage().hold(arena, inputs[b]).segment();
        }
        return segments;
    }
}
