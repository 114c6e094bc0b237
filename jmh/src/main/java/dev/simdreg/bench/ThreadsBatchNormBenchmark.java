package dev.simdreg.bench;

import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.Threads;
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
 * Batch-norm training forward and backward on one thread and on all the machine's, on the shapes of the
 * scaling table (NHWC of 2 MiB, in the caches; NHWC, the layout of the issue that asked for threads, and NCHW of
 * 25.7 MB, from memory), with γ and β, on native
 * segments; the backward from the statistics of a forward in the setup, as {@link BatchNormBenchmark}'s. The
 * setup checks that the fork's thread count gives the bits of one thread.
 */
@State(Scope.Benchmark)
public class ThreadsBatchNormBenchmark {

    /** NHWC {@code [8, 32, 32, 64]}: 2 MiB, 8192 rows, 32 blocks of the sums' order. */
    static final String IN_CACHE = "nhwc:8x32x32x64";

    @Param({"1", "all"})
    public String threads;

    @Param({ThreadsBatchNormBenchmark.IN_CACHE, BatchShapes.NHWC, BatchShapes.NCHW})
    public String shape;

    /** The implementation, for the report: simdreg's vector provider. */
    @Param({"vector"})
    public String impl;

    private Arena arena;
    private BatchShape batch;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment dy;
    private MemorySegment dx;
    private MemorySegment gamma;
    private MemorySegment beta;
    private MemorySegment savedMean;
    private MemorySegment savedInvStd;
    private MemorySegment runningMean;
    private MemorySegment runningVar;
    private MemorySegment dGamma;
    private MemorySegment dBeta;

    @Setup
    public void setup() {
        Threads.setCount(ThreadsBenchmark.count(threads));
        batch = BatchShapes.parse(shape);
        arena = Arena.ofShared();
        SplittableRandom random = new SplittableRandom(42);
        long n = batch.elements();
        int c = batch.channels();
        x = BatchShapes.filled(arena, n, random, 3, 2);
        dy = BatchShapes.filled(arena, n, random, 0, 1);
        y = BatchShapes.filled(arena, n, random, 0, 0);
        dx = BatchShapes.filled(arena, n, random, 0, 0);
        gamma = BatchShapes.filled(arena, c, random, 1, 0.1);
        beta = BatchShapes.filled(arena, c, random, 0, 0.1);
        savedMean = BatchShapes.filled(arena, c, random, 0, 0);
        savedInvStd = BatchShapes.filled(arena, c, random, 0, 0);
        runningMean = BatchShapes.filled(arena, c, random, 0, 0);
        runningVar = BatchShapes.filled(arena, c, random, 1, 0);
        dGamma = BatchShapes.filled(arena, c, random, 0, 0);
        dBeta = BatchShapes.filled(arena, c, random, 0, 0);
        trainingForward(); // the saved statistics of the backward
        trainingBackward();
        float[] split = dx.toArray(ValueLayout.JAVA_FLOAT);
        Threads.runWith(1, this::trainingBackward);
        if (!Arrays.equals(split, dx.toArray(ValueLayout.JAVA_FLOAT))) {
            throw new IllegalStateException("training backward on " + threads + " threads differs from one thread");
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public Object trainingForward() {
        BatchNorm.trainingForward(batch, x, y, gamma, beta, savedMean, savedInvStd, runningMean, runningVar,
                BatchNormOptions.defaults());
        return y;
    }

    @Benchmark
    public Object trainingBackward() {
        BatchNorm.trainingBackward(batch, x, dy, dx, gamma, beta, savedMean, savedInvStd, dGamma, dBeta, false);
        return dx;
    }
}
