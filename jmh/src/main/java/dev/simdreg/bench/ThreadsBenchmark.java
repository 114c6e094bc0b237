package dev.simdreg.bench;

import dev.simdreg.AdamW;
import dev.simdreg.Dropout;
import dev.simdreg.Dropout.Scaling;
import dev.simdreg.Optimizers;
import dev.simdreg.Penalties;
import dev.simdreg.RandomStreams;
import dev.simdreg.Threads;
import dev.simdreg.internal.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The main element-wise, random and reducing kernels on one thread and on all the machine's (the report's
 * scaling table), on 64-byte aligned native segments, at a size that a core's caches hold in part (4 MiB per
 * array) and one from memory (64 MiB). Their ceiling is {@code copy} split the same way, over simdreg's pool.
 * The suite runs {@code -Dsimdreg.threads=1}; each fork here sets its own count. The setup checks that the
 * fork's thread count gives the bits of one thread.
 */
@State(Scope.Benchmark)
public class ThreadsBenchmark {

    static final AdamW ADAMW = new AdamW(1e-3, 0.9, 0.999, 1e-8, 1e-2);

    /** {@code 1}, or {@code all}: the available processors, simdreg's default. */
    @Param({"1", "all"})
    public String threads;

    /** Bytes per array. */
    @Param({"4194304", "67108864"})
    public long bytes;

    /** The implementation, for the report: simdreg's vector provider. */
    @Param({"vector"})
    public String impl;

    private Arena arena;
    private long n;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment w;
    private MemorySegment g;
    private MemorySegment m;
    private MemorySegment v;
    private MemorySegment mask;
    private long offset;
    private long step;

    @Setup
    public void setup() {
        Threads.setCount(count(threads));
        arena = Arena.ofShared();
        n = bytes / Float.BYTES;
        SplittableRandom random = new SplittableRandom(5);
        x = BatchShapes.filled(arena, n, random, 0, 1);
        g = BatchShapes.filled(arena, n, random, 0, 0.1);
        w = BatchShapes.filled(arena, n, random, 0, 1);
        m = BatchShapes.filled(arena, n, random, 0, 0);
        v = BatchShapes.filled(arena, n, random, 0, 0);
        y = BatchShapes.filled(arena, n, random, 0, 0);
        mask = arena.allocate((n + 7) / 8, 64);
        if (bytes <= 4 << 20) {
            sameBitsAsOneThread();
        }
    }

    static int count(String threads) {
        return threads.equals("all") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
    }

    /** The fork's dropout and AdamW give the bits of one thread, and the copy copies. */
    private void sameBitsAsOneThread() {
        Dropout.forward(11, 0, RandomBenchmark.KEEP, Scaling.INVERTED, x, y, mask);
        float[] split = y.toArray(ValueLayout.JAVA_FLOAT);
        Threads.runWith(1, () -> Dropout.forward(11, 0, RandomBenchmark.KEEP, Scaling.INVERTED, x, y, mask));
        if (!Arrays.equals(split, y.toArray(ValueLayout.JAVA_FLOAT))) {
            throw new IllegalStateException("dropout on " + threads + " threads differs from one thread");
        }
        copy();
        if (y.mismatch(x) != -1) {
            throw new IllegalStateException("the split copy did not copy");
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** The ceiling: x into y, split as simdreg splits an element-wise call, each part a bulk copy. */
    @Benchmark
    public Object copy() {
        Parallel.run(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, true, (from, to) ->
                MemorySegment.copy(x, from * Float.BYTES, y, from * Float.BYTES, (to - from) * Float.BYTES));
        return y;
    }

    @Benchmark
    public Object adamW() {
        Optimizers.adamW(ADAMW, ++step, w, g, m, v);
        return w;
    }

    @Benchmark
    public Object softThreshold() {
        Penalties.softThreshold(x, 0.5f, y);
        return y;
    }

    @Benchmark
    public float l2Norm() {
        return Penalties.l2Norm(x);
    }

    @Benchmark
    public Object dropoutForward() {
        offset += n;
        Dropout.forward(11, offset, RandomBenchmark.KEEP, Scaling.INVERTED, x, y, mask);
        return y;
    }

    @Benchmark
    public Object uniform() {
        offset += n;
        RandomStreams.uniform(11, offset, y);
        return y;
    }

    @Benchmark
    public Object normal() {
        offset += n;
        RandomStreams.normal(11, offset, y);
        return y;
    }
}
