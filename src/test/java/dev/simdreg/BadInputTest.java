package dev.simdreg;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad argument gets an exception that names it, thrown before anything is written: after each
 * failed call, every buffer still holds what it held before.
 */
class BadInputTest {

    private static final int N = 37;

    /** The buffers of one case, watched by {@link KnownBuffers#untouched()}. */
    private static final class Buffers extends KnownBuffers {
        final float[] a = watchedArray(1, N);
        final float[] b = watchedArray(2, N);
        final float[] c = watchedArray(3, N);
        final float[] d = watchedArray(4, N);
        final float[] shorter = new float[N - 1];
        final MemorySegment sa = watchedSegment(a);
        final MemorySegment sb = watchedSegment(b);
        final MemorySegment big = watchedSegment(filled(5, 2 * N));

        /** The first N floats of big, and N floats of big starting at float 1: partially overlapping. */
        MemorySegment head() {
            return big.asSlice(0, N * 4L);
        }

        MemorySegment shifted() {
            return big.asSlice(4, N * 4L);
        }
    }

    private final Rejections<Buffers> rejections = new Rejections<>(Buffers::new);

    private void expect(String name, Class<? extends Throwable> type, Rejections.Call<Buffers> call, String... words) {
        rejections.expect(name, type, call, words);
    }

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    @TestFactory
    Stream<DynamicTest> badInputIsRejectedBeforeAnyWrite() {
        // soft-thresholding
        expect("null x", NPE, b -> Penalties.softThreshold((float[]) null, 1, b.a), "x");
        expect("null out", NPE, b -> Penalties.softThreshold(b.a, 1, (float[]) null), "out");
        expect("size mismatch", IAE, b -> Penalties.softThreshold(b.a, 1, b.shorter), "out", "36", "37");
        expect("negative threshold", IAE, b -> Penalties.softThreshold(b.a, -1, b.b), "threshold", "-1.0");
        expect("NaN threshold", IAE, b -> Penalties.softThreshold(b.a, Float.NaN, b.b), "threshold", "NaN");
        expect("infinite threshold", IAE, b -> Penalties.softThreshold(b.a, Float.POSITIVE_INFINITY, b.b), "threshold");
        expect("read-only out", IAE, b -> Penalties.softThreshold(b.sa, 1, b.sb.asReadOnly()), "out", "read-only");
        expect("partial overlap", IAE, b -> Penalties.softThreshold(b.head(), 1, b.shifted()), "out", "x", "overlap");
        expect("odd byte size", IAE, b -> Penalties.softThreshold(b.sa.asSlice(0, 10), 1, b.sb.asSlice(0, 10)),
                "x", "10 bytes");
        // proximal step
        expect("prox: w is grad", IAE, b -> Penalties.proximalL1Step(b.a, b.a, 0.1f, 0.1f), "w", "grad", "overlap");
        expect("prox: negative l1", IAE, b -> Penalties.proximalL1Step(b.a, b.b, 0.1f, -0.1f), "l1", "-0.1");
        expect("prox: NaN rate", IAE, b -> Penalties.proximalL1Step(b.a, b.b, Float.NaN, 0.1f), "learningRate");
        expect("prox: size", IAE, b -> Penalties.proximalL1Step(b.a, b.shorter, 0.1f, 0.1f), "grad", "36", "37");
        expect("prox: overflowing threshold", IAE,
                b -> Penalties.proximalL1Step(b.a, b.b, 3e38f, 3e38f), "learningRate * l1");
        expect("prox: read-only w", IAE, b -> Penalties.proximalL1Step(b.sa.asReadOnly(), b.sb, 0.1f, 0.1f),
                "w", "read-only");
        expect("norm: null", NPE, b -> Penalties.l2Norm((float[]) null), "x");
        // projections
        expect("ball: radius 0", IAE, b -> Projections.projectToL2Ball(b.a, 0), "radius", "0.0");
        expect("ball: negative radius", IAE, b -> Projections.projectToL2Ball(b.a, -2), "radius", "-2.0");
        expect("ball: NaN radius", IAE, b -> Projections.projectToL2Ball(b.a, Float.NaN), "radius", "NaN");
        expect("ball: read-only", IAE, b -> Projections.projectToL2Ball(b.sa.asReadOnly(), 1), "v", "read-only");
        expect("rows: shape", IAE, b -> Projections.maxNormRows(b.a, 6, 6, 1), "w", "37", "6 * 6");
        expect("rows: negative", IAE, b -> Projections.maxNormRows(b.a, -1, -37, 1), "rows", "cols");
        expect("rows: max norm", IAE, b -> Projections.maxNormRows(b.a, 1, N, 0), "maxNorm");
        expect("clip: null tensor", NPE, b -> Projections.clipGradNorm(new float[][] {b.a, null}, 1), "grads[1]");
        expect("clip: same tensor twice", IAE, b -> Projections.clipGradNorm(new float[][] {b.a, b.b, b.a}, 1),
                "grads[0]", "grads[2]", "overlap");
        expect("clip: many tensors, one twice", IAE, b -> {
            float[][] many = new float[12][];
            for (int i = 0; i < many.length; i++) {
                many[i] = i == 3 ? b.a : i == 9 ? b.b : i == 11 ? b.a : new float[N];
            }
            Projections.clipGradNorm(many, 1e-3f);
        }, "grads[3]", "grads[11]", "overlap");
        expect("clip: many segments, two overlapping", IAE, b -> {
            MemorySegment[] many = new MemorySegment[10];
            for (int i = 0; i < many.length; i++) {
                many[i] = b.arena.allocate(N * 4L);
            }
            many[7] = b.shifted();
            many[2] = b.head();
            Projections.clipGradNorm(many, 1e-3f);
        }, "grads[2]", "grads[7]", "overlap");
        expect("clip: overlapping segments", IAE,
                b -> Projections.clipGradNorm(new MemorySegment[] {b.shifted(), b.sa, b.head()}, 1), "grads", "overlap");
        expect("clip: read-only", IAE,
                b -> Projections.clipGradNorm(new MemorySegment[] {b.sa, b.sb.asReadOnly()}, 1), "grads[1]", "read-only");
        expect("clip: max norm", IAE, b -> Projections.clipGradNorm(new float[][] {b.a}, -1), "maxNorm");
        expect("clip: nonfinite total", ArithmeticException.class, b -> {
            b.preset(b.b, 5, Float.NaN);
            Projections.clipGradNorm(new float[][] {b.a, b.b}, 1, true);
        }, "NaN");
        // optimizers
        Sgd momentum = Sgd.withMomentum(0.1f, 0.9f, 0.01f);
        expect("sgd: null settings", NPE, b -> Optimizers.sgd(null, 1, b.a, b.b, b.c), "sgd");
        expect("sgd: step 0", IAE, b -> Optimizers.sgd(momentum, 0, b.a, b.b, b.c), "step", "0");
        expect("sgd: missing buffer", NPE, b -> Optimizers.sgd(momentum, 1, b.a, b.b, null), "momentumBuffer");
        expect("sgd: buffer size", IAE, b -> Optimizers.sgd(momentum, 1, b.a, b.b, b.shorter), "momentumBuffer", "36");
        expect("sgd: grad is buffer", IAE, b -> Optimizers.sgd(momentum, 1, b.a, b.b, b.b), "grad", "momentumBuffer");
        expect("sgd: w is grad", IAE, b -> Optimizers.sgd(momentum, 1, b.a, b.a, b.c), "w", "grad");
        expect("sgd: read-only w", IAE, b -> Optimizers.sgd(momentum, 1, b.sa.asReadOnly(), b.sb, null), "w", "read-only");
        expect("sgd settings: momentum 1.5", IAE, b -> new Sgd(0.1f, 1.5f, 0, 0, false), "momentum", "1.5");
        expect("sgd settings: dampening -1", IAE, b -> new Sgd(0.1f, 0.5f, -1, 0, false), "dampening");
        expect("sgd settings: NaN decay", IAE, b -> new Sgd(0.1f, 0, 0, Float.NaN, false), "weightDecay", "NaN");
        expect("sgd settings: infinite rate", IAE, b -> new Sgd(Float.POSITIVE_INFINITY, 0, 0, 0, false),
                "learningRate", "Infinity");
        expect("sgd settings: Nesterov without momentum", IAE, b -> new Sgd(0.1f, 0, 0, 0, true), "Nesterov");
        AdamW adamW = AdamW.withDefaults(1e-3f);
        expect("adamW: step 0", IAE, b -> Optimizers.adamW(adamW, 0, b.a, b.b, b.c, b.d), "step");
        expect("adamW: m is v", IAE, b -> Optimizers.adamW(adamW, 1, b.a, b.b, b.c, b.c), "overlap");
        expect("adamW: v size", IAE, b -> Optimizers.adamW(adamW, 1, b.a, b.b, b.c, b.shorter), "v", "36", "37");
        expect("adamW: null m", NPE, b -> Optimizers.adamW(adamW, 1, b.a, b.b, null, b.d), "m");
        expect("adamW settings: beta1 = 1", IAE, b -> new AdamW(1e-3f, 1f, 0.999f, 1e-8f, 0), "beta1", "1.0");
        expect("adamW settings: beta2 < 0", IAE, b -> new AdamW(1e-3f, 0.9f, -0.1f, 1e-8f, 0), "beta2");
        expect("adamW settings: eps NaN", IAE, b -> new AdamW(1e-3f, 0.9f, 0.999f, Float.NaN, 0), "eps");
        // averaging
        expect("linear: t 0", IAE, b -> Averaging.linearAverage(b.a, b.b, 0), "t", "0");
        expect("linear: theta is avg", IAE, b -> Averaging.linearAverage(b.a, b.a, 3), "avg", "theta");
        expect("linear: size", IAE, b -> Averaging.linearAverage(b.a, b.shorter, 3), "theta", "36", "37");
        expect("exponential: alpha 1.1", IAE, b -> Averaging.exponentialAverage(b.a, b.b, 1.1f), "alpha", "1.1");
        expect("exponential: alpha NaN", IAE, b -> Averaging.exponentialAverage(b.a, b.b, Float.NaN), "alpha");
        expect("exponential: read-only", IAE,
                b -> Averaging.exponentialAverage(b.sa.asReadOnly(), b.sb, 0.5f), "avg", "read-only");
        expect("exponential: partial overlap", IAE,
                b -> Averaging.exponentialAverage(b.head(), b.shifted(), 0.5f), "avg", "theta", "overlap");
        return rejections.tests();
    }

    @TestFactory
    Stream<DynamicTest> closedOrForeignSegmentsFailAsTheJdkDoes() {
        expect("closed arena", IllegalStateException.class, b -> {
            Arena closed = Arena.ofConfined();
            MemorySegment gone = closed.allocate(N * 4L);
            closed.close();
            Penalties.softThreshold(b.sa, 1, gone);
        }, "out", "closed");
        expect("other thread", WrongThreadException.class, b -> {
            MemorySegment[] foreign = new MemorySegment[1];
            Thread t = Thread.ofPlatform().start(() -> foreign[0] = Arena.ofConfined().allocate(N * 4L));
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            Penalties.softThreshold(b.sa, 1, foreign[0]);
        }, "out");
        return rejections.tests();
    }

    @TestFactory
    Stream<DynamicTest> emptyInputIsFine() {
        float[] empty = new float[0];
        return Stream.of(
                DynamicTest.dynamicTest("soft-threshold", () -> Penalties.softThreshold(empty, 1, empty)),
                DynamicTest.dynamicTest("norms", () -> assertTrue(Penalties.l2Norm(empty) == 0 && Penalties.l1Norm(empty) == 0)),
                DynamicTest.dynamicTest("projection", () -> Projections.projectToL2Ball(empty, 1)),
                DynamicTest.dynamicTest("rows", () -> Projections.maxNormRows(empty, 0, 5, 1)),
                DynamicTest.dynamicTest("clip", () -> Projections.clipGradNorm(new float[][] {}, 1)),
                DynamicTest.dynamicTest("sgd", () -> Optimizers.sgd(Sgd.withMomentum(0.1f, 0.9f, 0), 1, empty,
                        new float[0], new float[0])),
                DynamicTest.dynamicTest("adamW", () -> Optimizers.adamW(AdamW.withDefaults(1e-3f), 1, empty,
                        new float[0], new float[0], new float[0])),
                DynamicTest.dynamicTest("averages", () -> {
                    Averaging.linearAverage(empty, new float[0], 1);
                    Averaging.exponentialAverage(empty, new float[0], 0.5f);
                }));
    }
}
