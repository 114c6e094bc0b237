package dev.simdreg;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls split over threads give the bits of the call on one thread, for every count; a segment confined to the
 * caller's thread keeps the call on it. The calls are large enough for seven parts.
 */
class ThreadsTest {

    /** Above seven parts of a split element-wise call, and odd. */
    private static final int N = 7 * (1 << 17) + 4099;
    private static final int[] COUNTS = {2, 3, 7};
    /** A stream offset inside a group of 64, so parts start inside one too. */
    private static final long OFFSET = 37;
    /** Batches of images within N floats, and their crops. */
    private static final ImageShape N_IMAGES = ImageShape.nchw(300, 3, 32, 32);
    private static final ImageShape N_CROPS = ImageShape.nchw(300, 3, 28, 30);
    private static final ImageShape H_IMAGES = ImageShape.nhwc(20, 120, 120, 3);
    private static final ImageShape H_CROPS = ImageShape.nhwc(20, 100, 110, 3);

    /** A kernel call on four buffers of N floats, the ones it writes among them. */
    private record Call(String name, Consumer<MemorySegment[]> run) {
    }

    private static final List<Call> CALLS = List.of(
            new Call("Optimizers.adamW", b -> Optimizers.adamW(new AdamW(1e-3, 0.9, 0.999, 1e-8, 1e-2), 7,
                    b[0], b[1], b[2], b[3])),
            new Call("Optimizers.sgd", b -> Optimizers.sgd(new Sgd(0.1, 0, 0, 1e-4, false), 3, b[0], b[1], null)),
            new Call("Optimizers.sgd with momentum", b -> Optimizers.sgd(new Sgd(0.1, 0.9, 0, 1e-4, true), 3,
                    b[0], b[1], b[2])),
            new Call("Averaging.linearAverage", b -> Averaging.linearAverage(b[0], b[1], 5)),
            new Call("Averaging.exponentialAverage", b -> Averaging.exponentialAverage(b[0], b[1], 0.99f)),
            new Call("Penalties.softThreshold", b -> Penalties.softThreshold(b[0], 0.25f, b[2])),
            new Call("Penalties.proximalL1Step", b -> Penalties.proximalL1Step(b[0], b[1], 0.1f, 0.5f)),
            new Call("RandomStreams.uniform", b -> RandomStreams.uniform(11, OFFSET, b[0])),
            new Call("RandomStreams.normal", b -> RandomStreams.normal(11, OFFSET, b[0])),
            new Call("RandomStreams.boundedInts", b -> RandomStreams.boundedInts(11, OFFSET, 1000003, b[2])),
            new Call("RandomStreams.bernoulli", b -> RandomStreams.bernoulli(11, OFFSET, 0.3f, b[2], N)),
            new Call("Dropout.forward", b -> Dropout.forward(11, OFFSET, 0.8f, Dropout.Scaling.INVERTED, b[0], b[1],
                    b[2])),
            new Call("Dropout.backward from the mask", b -> {
                RandomStreams.bernoulli(11, OFFSET, 0.7f, b[2], N);
                Dropout.backward(0.7f, Dropout.Scaling.INVERTED, b[2], b[0], b[1]);
            }),
            new Call("Dropout.backward, regenerated", b -> Dropout.backward(11, OFFSET, 0.8f, Dropout.Scaling.UNSCALED,
                    b[0], b[0])),
            new Call("Noise.addGaussian", b -> Noise.addGaussian(11, OFFSET, 0.5f, b[0], b[1])),
            new Call("Initializers.glorotUniform", b -> Initializers.glorotUniform(11, OFFSET, 300, 200, b[0])),
            new Call("Penalties.l1Norm", b -> result(b, Penalties.l1Norm(b[0]))),
            new Call("Penalties.l2Norm", b -> result(b, Penalties.l2Norm(b[0]))),
            new Call("Penalties.l2Norm, rescaled", b -> {
                for (long i = 0; i < N; i++) { // squares of about 2^-160 underflow: the rescaled second pass
                    b[0].setAtIndex(ValueLayout.JAVA_FLOAT, i, b[0].getAtIndex(ValueLayout.JAVA_FLOAT, i) * 0x1p-80f);
                }
                result(b, Penalties.l2Norm(b[0]));
            }),
            new Call("Projections.projectToL2Ball", b -> result(b, Projections.projectToL2Ball(b[0], 10f))),
            new Call("Projections.maxNormRows", b -> result(b, Projections.maxNormRows(
                    floats(b[0], 0, 900 * 1024), 900, 1024, 18.5f))),
            new Call("Projections.clipGradNorm", b -> result(b, Projections.clipGradNorm(
                    new MemorySegment[] {b[0], b[1]}, 5f))),
            new Call("BatchNorm.trainingForward, NCHW planes of 100", b -> {
                BatchShape shape = BatchShape.channelsFirst(16, 512, 100);
                BatchNorm.trainingForward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        null, null, floats(b[2], 0, 512), floats(b[2], 512, 512), null, null,
                        BatchNormOptions.defaults());
            }),
            new Call("BatchNorm.trainingBackward with ReLU, rows of 8192", b -> {
                BatchShape shape = BatchShape.rows(64, 8192);
                BatchNorm.trainingBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), null, floats(b[2], 0, 8192), floats(b[2], 8192, 8192),
                        floats(b[2], 16384, 8192), floats(b[2], 24576, 8192), floats(b[2], 32768, 8192), true);
            }),
            new Call("BatchNorm.trainingForward with ReLU, NHWC of 64 channels", b -> {
                BatchShape shape = BatchShape.channelsLast(16, 900, 64);
                BatchNorm.trainingForward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[2], 0, 64), floats(b[2], 64, 64), floats(b[2], 128, 64), floats(b[2], 192, 64),
                        floats(b[2], 256, 64), floats(b[2], 320, 64), BatchNormOptions.defaults().withRelu(true));
            }),
            new Call("BatchNorm.trainingBackward, rows of 100", b -> {
                BatchShape shape = BatchShape.rows(9216, 100);
                BatchNorm.trainingBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), floats(b[2], 0, 100), floats(b[2], 100, 100),
                        floats(b[2], 200, 100), floats(b[2], 300, 100), floats(b[2], 400, 100), floats(b[2], 500, 100),
                        false);
            }),
            new Call("BatchNorm.trainingBackward with ReLU, rows of 48", b -> {
                BatchShape shape = BatchShape.rows(19200, 48);
                BatchNorm.trainingBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), null, floats(b[2], 0, 48), floats(b[2], 48, 48),
                        floats(b[2], 96, 48), floats(b[2], 144, 48), floats(b[2], 192, 48), true);
            }),
            new Call("BatchNorm.inferenceBackward with ReLU, NHWC of 24 channels", b -> {
                BatchShape shape = BatchShape.channelsLast(24, 1600, 24);
                BatchNorm.inferenceBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), floats(b[2], 0, 24), floats(b[2], 24, 24),
                        floats(b[2], 48, 24), floats(b[2], 72, 24), floats(b[2], 96, 24), floats(b[2], 120, 24),
                        BatchNormOptions.defaults().withRelu(true));
            }),
            new Call("BatchNorm.trainingForward, NCHW planes of 900", b -> {
                BatchShape shape = BatchShape.channelsFirst(16, 64, 900);
                BatchNorm.trainingForward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[2], 0, 64), floats(b[2], 64, 64), floats(b[2], 128, 64), floats(b[2], 192, 64),
                        floats(b[2], 256, 64), floats(b[2], 320, 64), BatchNormOptions.defaults());
            }),
            new Call("BatchNorm.trainingBackward with ReLU, NCHW planes of 900", b -> {
                BatchShape shape = BatchShape.channelsFirst(16, 64, 900);
                BatchNorm.trainingBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), floats(b[2], 0, 64), floats(b[2], 64, 64),
                        floats(b[2], 128, 64), floats(b[2], 192, 64), floats(b[2], 256, 64), floats(b[2], 320, 64),
                        true);
            }),
            new Call("BatchNorm.inferenceBackward, NCHW planes of 900", b -> {
                BatchShape shape = BatchShape.channelsFirst(16, 64, 900);
                BatchNorm.inferenceBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), floats(b[2], 0, 64), floats(b[2], 64, 64),
                        floats(b[2], 128, 64), floats(b[2], 192, 64), floats(b[2], 256, 64), floats(b[2], 320, 64),
                        BatchNormOptions.defaults());
            }),
            new Call("Images.fromBytes, NCHW", b -> Images.fromBytes(bytes(b[0], N_IMAGES.elements()),
                    new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f}, N_IMAGES,
                    floats(b[1], 0, N_IMAGES.elements()))),
            new Call("Images.fromBytes, NHWC", b -> Images.fromBytes(bytes(b[0], H_IMAGES.elements()),
                    new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f}, H_IMAGES,
                    floats(b[1], 0, H_IMAGES.elements()))),
            new Call("Images.flipHorizontal, NHWC", b -> Images.flipHorizontal(11, OFFSET, 0.5f, H_IMAGES,
                    floats(b[0], 0, H_IMAGES.elements()), floats(b[1], 0, H_IMAGES.elements()))),
            new Call("Images.flipVertical, NCHW in place", b -> Images.flipVertical(11, OFFSET, 0.5f, N_IMAGES,
                    floats(b[0], 0, N_IMAGES.elements()), floats(b[0], 0, N_IMAGES.elements()))),
            new Call("Images.randomCrop, NCHW", b -> Images.randomCrop(11, OFFSET, 4, N_IMAGES,
                    floats(b[0], 0, N_IMAGES.elements()), N_CROPS, floats(b[1], 0, N_CROPS.elements()))),
            new Call("Images.centerCrop, NHWC", b -> Images.centerCrop(H_IMAGES, floats(b[0], 0, H_IMAGES.elements()),
                    H_CROPS, floats(b[1], 0, H_CROPS.elements()))),
            new Call("Images.pcaColourNoise, NCHW", b -> Images.pcaColourNoise(11, OFFSET, 0.1f,
                    new ColourPca(new double[] {0.2175, 0.0188, 0.0045}, new double[] {0, 0.6, 0.8, 0, 0.8, -0.6, 1, 0,
                            0}), N_IMAGES,
                    floats(b[0], 0, N_IMAGES.elements()), floats(b[1], 0, N_IMAGES.elements()))),
            new Call("Images.warpAffine, NHWC", b -> {
                double[] matrices = new double[6 * H_IMAGES.images()];
                for (int n = 0; n < H_IMAGES.images(); n++) {
                    double angle = 0.01 * n;
                    matrices[6 * n] = Math.cos(angle);
                    matrices[6 * n + 1] = -Math.sin(angle);
                    matrices[6 * n + 2] = 1.5;
                    matrices[6 * n + 3] = Math.sin(angle);
                    matrices[6 * n + 4] = Math.cos(angle);
                    matrices[6 * n + 5] = -0.5;
                }
                Images.warpAffine(matrices, Images.Fill.EDGE, H_IMAGES, floats(b[0], 0, H_IMAGES.elements()),
                        H_IMAGES, floats(b[1], 0, H_IMAGES.elements()));
            }),
            new Call("Ensembles.geometricMean", b -> {
                for (int k = 0; k < 2; k++) { // probabilities
                    for (long i = 0; i < N; i++) {
                        b[k].setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.abs(b[k].getAtIndex(ValueLayout.JAVA_FLOAT, i)));
                    }
                }
                Ensembles.geometricMean(new MemorySegment[] {floats(b[0], 0, 92160 * 10),
                        floats(b[1], 0, 92160 * 10)}, 10, floats(b[2], 0, 92160 * 10));
            }),
            new Call("Dropout.forwardChannels", b -> Dropout.forwardChannels(11, OFFSET, 0.7f, Dropout.Scaling.INVERTED,
                    BatchShape.channelsFirst(64, 48, 300), floats(b[0], 0, 921600), floats(b[1], 0, 921600),
                    floats(b[2], 0, 96))),
            new Call("Dropout.rescaleWeights", b -> Dropout.rescaleWeights(floats(b[0], 0, 921600),
                    keepPerInput(300), floats(b[1], 0, 921600))),
            new Call("BatchNorm.inferenceBackward, NCHW planes of 7", b -> {
                BatchShape shape = BatchShape.channelsFirst(64, 2048, 7);
                BatchNorm.inferenceBackward(shape, floats(b[0], 0, shape.elements()), floats(b[1], 0, shape.elements()),
                        floats(b[3], 0, shape.elements()), floats(b[2], 0, 2048), floats(b[2], 2048, 2048),
                        floats(b[2], 4096, 2048), floats(b[2], 6144, 2048), floats(b[2], 8192, 2048),
                        floats(b[2], 10240, 2048), BatchNormOptions.defaults());
            }));

    @Test
    void everyThreadCountGivesTheBitsOfOneThread() {
        for (Call call : CALLS) {
            float[][] alone = Threads.callWith(1, () -> run(call, Arena.ofAuto()));
            for (int threads : COUNTS) {
                float[][] split = Threads.callWith(threads, () -> run(call, Arena.ofAuto()));
                for (int k = 0; k < alone.length; k++) {
                    assertArrayEquals(alone[k], split[k], call.name() + ", buffer " + k + ", " + threads + " threads");
                }
            }
        }
        // the calls were split: seven parts need six pool threads
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("simdreg-worker-")).count() >= 6, "pool threads");
    }

    @Test
    void segmentsConfinedToTheCallerStayOnIt() {
        float[][] alone = Threads.callWith(1, () -> run(CALLS.getFirst(), Arena.ofAuto()));
        try (Arena confined = Arena.ofConfined()) {
            float[][] split = Threads.callWith(4, () -> run(CALLS.getFirst(), confined));
            for (int k = 0; k < alone.length; k++) {
                assertArrayEquals(alone[k], split[k], "buffer " + k);
            }
        }
    }

    /**
     * Callers that split at the same time share the pool and each get their own call's bits: two dropout calls
     * with different keep probabilities, whose parts copy their caller's thresholds.
     */
    @Test
    void concurrentCallersEachGetTheirOwnBits() throws Exception {
        float[] keeps = {0.5f, 0.9f};
        float[][] alone = new float[keeps.length][];
        for (int c = 0; c < keeps.length; c++) {
            float keep = keeps[c];
            alone[c] = Threads.callWith(1, () -> dropout(keep));
        }
        List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] callers = new Thread[keeps.length];
        for (int c = 0; c < keeps.length; c++) {
            int caller = c;
            callers[c] = new Thread(() -> Threads.runWith(3, () -> {
                for (int round = 0; round < 20; round++) {
                    if (!Arrays.equals(alone[caller], dropout(keeps[caller]))) {
                        failures.add("keep " + keeps[caller] + ", round " + round);
                    }
                }
            }));
            callers[c].start();
        }
        for (Thread caller : callers) {
            caller.join();
        }
        assertEquals(List.of(), failures);
    }

    private static float[] dropout(float keep) {
        MemorySegment x = Arena.ofAuto().allocate((long) N * Float.BYTES, 64).fill((byte) 0x3f);
        MemorySegment y = Arena.ofAuto().allocate((long) N * Float.BYTES, 64);
        Dropout.forward(5, OFFSET, keep, Dropout.Scaling.INVERTED, x, y, null);
        return y.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Test
    void theCountIsCheckedAndScoped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Threads.setCount(0));
        assertEquals("threads = 0 must be >= 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Threads.runWith(-3, () -> { }));
        assertThrows(NullPointerException.class, () -> Threads.runWith(2, null));
        assertEquals(3, Threads.callWith(3, Threads::count));
        Threads.runWith(2, () -> assertEquals(5, Threads.callWith(5, Threads::count)));
    }

    /** The first n bytes of s. */
    private static MemorySegment bytes(MemorySegment s, long n) {
        return s.asSlice(0, n);
    }

    /** Keep probabilities of inputs inputs, from 0.5 up. */
    private static float[] keepPerInput(int inputs) {
        float[] keep = new float[inputs];
        for (int j = 0; j < inputs; j++) {
            keep[j] = 0.5f + 0.5f * j / inputs;
        }
        return keep;
    }

    /** Floats {@code [from, from + n)} of s. */
    private static MemorySegment floats(MemorySegment s, long from, long n) {
        return s.asSlice(from * Float.BYTES, n * Float.BYTES);
    }

    /** A call's scalar result, into the first float of the fourth buffer. */
    private static void result(MemorySegment[] buffers, float value) {
        buffers[3].setAtIndex(ValueLayout.JAVA_FLOAT, 0, value);
    }

    /** The call on fresh buffers of fixed values; their contents after it. */
    private static float[][] run(Call call, Arena arena) {
        SplittableRandom random = new SplittableRandom(2026);
        MemorySegment[] buffers = new MemorySegment[4];
        for (int k = 0; k < buffers.length; k++) {
            buffers[k] = arena.allocate((long) N * Float.BYTES, 64);
            for (int i = 0; i < N; i++) {
                buffers[k].setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextDouble() * 2 - 1));
            }
        }
        buffers[3] = buffers[3].fill((byte) 0);
        call.run().accept(buffers);
        return Arrays.stream(buffers).map(b -> b.toArray(ValueLayout.JAVA_FLOAT)).toArray(float[][]::new);
    }
}
