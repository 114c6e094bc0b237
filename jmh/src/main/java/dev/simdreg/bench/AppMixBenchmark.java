package dev.simdreg.bench;

import dev.simdreg.AdamW;
import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.Dropout;
import dev.simdreg.Optimizers;
import dev.simdreg.Penalties;
import dev.simdreg.Simdreg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The application's conditions: one kernel measured on one storage kind, in a fork that first ran it
 * ({@code jvm = clean}) only on that kind, or ({@code mixed}) on every kind an application may hand it,
 * both API forms: float[], heap segments over float[] and over byte[], native segments aligned and at an odd
 * float. The report sets each mixed time beside the clean one of the same run, with the bytes each call
 * allocated (JMH's GC profiler).
 * <p>
 * Its forks align every object to 32 bytes, so that a float[]'s values start 16 or 48 bytes past a 64-byte line in
 * each, never on one: the JVM otherwise puts an array at any multiple of 8 bytes, another in each fork, and a
 * 64-byte register load across two lines slowed batch norm on float[] by 2 times from one fork to the next (clean
 * 13.4 µs, mixed 26.9, native 12.2 in both), l2Norm 1.8 times (float[] and a native segment 16 bytes off a line both
 * 2.9 µs at 256 KiB, native aligned 1.6; harness): the clean and the mixed fork compared alignments, not conditions.
 * (At 64 bytes, which would fix the offset at 16, the padding of every small object took batch norm on float[] to
 * 1168 counted bytes a call.)
 */
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = "-XX:ObjectAlignmentInBytes=32")
public class AppMixBenchmark {

    /** The storage kinds: the measured one is one of the first three. */
    public enum Storage {
        ARRAYS, HEAP, NATIVE, NATIVE_ODD, BYTE_ARRAYS
    }

    /**
     * Floats run through each kernel on each kind before measuring, 2^26 (1024 calls at 256 KiB, 64 at 4 MiB),
     * past C2's compile thresholds for every copy: its loops' back edges count every vector.
     */
    private static final long PRIMING_FLOATS = 1L << 26;
    private static final AdamW ADAMW = AdamW.withDefaults(1e-3f);

    @Param({"clean", "mixed"})
    public String jvm;

    @Param({"ARRAYS", "HEAP", "NATIVE"})
    public Storage storage;

    /** Bytes per array. */
    @Param({"262144"})
    public long bytes;

    private Arena arena;
    /** Batch norm's NHWC shape, [n / 2^14, 8 × 8, 256], the kernels' n floats. */
    private BatchShape nhwc;
    private Buffers measured;
    private List<Buffers> primed;
    private long step = 10;

    /** The buffers of every kernel on one kind of storage, and the calls that use them. */
    private final class Buffers {
        final Storage kind;
        final float[] w, g, m, v, x, y, dx, channels, gamma, beta, mean, invStd, runningMean, runningVar;
        final long[] mask;
        final MemorySegment ws, gs, ms, vs, xs, ys, dxs, gammas, betas, means, invStds, runningMeans, runningVars,
                masks;

        Buffers(Storage kind, int n) {
            this.kind = kind;
            SplittableRandom random = new SplittableRandom(7);
            w = normal(random, n, 1);
            g = normal(random, n, 0.1);
            m = normal(random, n, 0.1);
            v = positive(random, n);
            x = normal(random, n, 1);
            y = new float[n];
            dx = new float[n];
            int c = nhwc.channels();
            channels = new float[c];
            gamma = positive(random, c);
            beta = normal(random, c, 0.1);
            mean = new float[c];
            invStd = new float[c];
            runningMean = new float[c];
            runningVar = positive(random, c);
            mask = new long[(n + 63) / 64];
            ws = segment(w);
            gs = segment(g);
            ms = segment(m);
            vs = segment(v);
            xs = segment(x);
            ys = segment(y);
            dxs = segment(dx);
            gammas = segment(gamma);
            betas = segment(beta);
            means = segment(mean);
            invStds = segment(invStd);
            runningMeans = segment(runningMean);
            runningVars = segment(runningVar);
            masks = switch (kind) {
                case ARRAYS, HEAP -> MemorySegment.ofArray(mask);
                case NATIVE, NATIVE_ODD, BYTE_ARRAYS -> copy(MemorySegment.ofArray(mask));
            };
        }

        private MemorySegment segment(float[] a) {
            return kind == Storage.HEAP || kind == Storage.ARRAYS ? MemorySegment.ofArray(a)
                    : copy(MemorySegment.ofArray(a));
        }

        private MemorySegment copy(MemorySegment source) {
            MemorySegment target = switch (kind) {
                case NATIVE -> arena.allocate(source.byteSize(), 64);
                case NATIVE_ODD -> arena.allocate(source.byteSize() + Float.BYTES, 64).asSlice(Float.BYTES);
                default -> MemorySegment.ofArray(new byte[Math.toIntExact(source.byteSize())]);
            };
            return target.copyFrom(source);
        }

        void adamW() {
            if (kind == Storage.ARRAYS) {
                Optimizers.adamW(ADAMW, step, w, g, m, v);
            } else {
                Optimizers.adamW(ADAMW, step, ws, gs, ms, vs);
            }
        }

        void softThreshold() {
            if (kind == Storage.ARRAYS) {
                Penalties.softThreshold(x, 0.5f, y);
            } else {
                Penalties.softThreshold(xs, 0.5f, ys);
            }
        }

        float l2Norm() {
            return kind == Storage.ARRAYS ? Penalties.l2Norm(x) : Penalties.l2Norm(xs);
        }

        void dropoutForward() {
            if (kind == Storage.ARRAYS) {
                Dropout.forward(42, step, 0.8f, Dropout.Scaling.INVERTED, x, y, mask);
            } else {
                Dropout.forward(42, step, 0.8f, Dropout.Scaling.INVERTED, xs, ys, masks);
            }
        }

        void batchNormForward() {
            BatchNormOptions options = BatchNormOptions.defaults();
            if (kind == Storage.ARRAYS) {
                BatchNorm.trainingForward(nhwc, x, y, gamma, beta, mean, invStd, runningMean, runningVar, options);
            } else {
                BatchNorm.trainingForward(nhwc, xs, ys, gammas, betas, means, invStds, runningMeans, runningVars,
                        options);
            }
        }

        void all() {
            adamW();
            softThreshold();
            l2Norm();
            dropoutForward();
            batchNormForward();
        }
    }

    @Setup
    public void setup() {
        if (!Simdreg.provider().name().equals("vector")) {
            throw new IllegalStateException("benchmark wants the vector provider but simdreg runs " + Simdreg.provider());
        }
        int n = Math.toIntExact(bytes / Float.BYTES);
        nhwc = BatchShape.channelsLast(n / (64 * 256), 64, 256);
        arena = Arena.ofShared();
        measured = new Buffers(storage, n);
        primed = jvm.equals("clean") ? List.of(measured)
                : List.of(new Buffers(Storage.ARRAYS, n), new Buffers(Storage.HEAP, n), new Buffers(Storage.NATIVE, n),
                        new Buffers(Storage.NATIVE_ODD, n), new Buffers(Storage.BYTE_ARRAYS, n));
        for (long i = 0; i < PRIMING_FLOATS / n; i++) {
            for (Buffers b : primed) {
                b.all();
            }
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void adamW() {
        measured.adamW();
    }

    @Benchmark
    public void softThreshold() {
        measured.softThreshold();
    }

    @Benchmark
    public float l2Norm() {
        return measured.l2Norm();
    }

    @Benchmark
    public void dropoutForward() {
        measured.dropoutForward();
    }

    @Benchmark
    public void batchNormForward() {
        measured.batchNormForward();
    }

    private static float[] normal(SplittableRandom random, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (scale * random.nextGaussian());
        }
        return a;
    }

    private static float[] positive(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(0.05, 1);
        }
        return a;
    }
}
