package dev.simdreg.bench;

import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.Threads;
import dev.simdreg.internal.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Batch-norm training forward and backward on one thread and on all the machine's, on the shapes of the
 * scaling table (NHWC of 2 MiB, in the caches; NHWC, the layout of the issue that asked for threads, and NCHW of
 * 25.7 MB, from memory), with γ and β, on native
 * segments; the backward from the statistics of a forward in the setup, as {@link BatchNormBenchmark}'s. The
 * setup checks that the fork's thread count gives the bits of one thread. Beside them the floors of the
 * backward's two passes in plain vector loops: x and dy read (its sums), x and dy read and dx written.
 */
@State(Scope.Benchmark)
public class ThreadsBatchNormBenchmark {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

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

    /**
     * The floor of the backward's first pass, its gradient sums: a plain loop of the widest vectors reading x and
     * dy once (sums of dy and of dy·x, two registers each), split as simdreg splits a call.
     */
    @Benchmark
    public float readTwoStreams() {
        float[] sums = new float[1];
        Parallel.run(batch.elements(), Parallel.LINE, Parallel.ELEMENTWISE_PART, true, (from, to) -> {
            float s = sumOfProducts(from, to);
            synchronized (sums) {
                sums[0] += s;
            }
        });
        return sums[0];
    }

    private float sumOfProducts(long from, long to) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, p0 = s0, p1 = s0;
        long step = SPECIES.vectorByteSize();
        for (long at = from * Float.BYTES, end = to * Float.BYTES; at < end; at += 2 * step) {
            FloatVector d0 = FloatVector.fromMemorySegment(SPECIES, dy, at, ORDER);
            FloatVector d1 = FloatVector.fromMemorySegment(SPECIES, dy, at + step, ORDER);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            p0 = d0.fma(FloatVector.fromMemorySegment(SPECIES, x, at, ORDER), p0);
            p1 = d1.fma(FloatVector.fromMemorySegment(SPECIES, x, at + step, ORDER), p1);
        }
        return s0.add(s1).add(p0.add(p1)).reduceLanes(VectorOperators.ADD);
    }

    /** The floor of the second pass: {@code dx = fma(dy, 0.5, x)}, x and dy read and dx written, split the same way. */
    @Benchmark
    public Object readTwoWriteOne() {
        Parallel.run(batch.elements(), Parallel.LINE, Parallel.ELEMENTWISE_PART, true, (from, to) -> {
            FloatVector half = FloatVector.broadcast(SPECIES, 0.5f);
            for (long at = from * Float.BYTES, end = to * Float.BYTES; at < end; at += SPECIES.vectorByteSize()) {
                FloatVector d = FloatVector.fromMemorySegment(SPECIES, dy, at, ORDER);
                d.fma(half, FloatVector.fromMemorySegment(SPECIES, x, at, ORDER)).intoMemorySegment(dx, at, ORDER);
            }
        });
        return dx;
    }

    @Benchmark
    public Object trainingBackward() {
        BatchNorm.trainingBackward(batch, x, dy, dx, gamma, beta, savedMean, savedInvStd, dGamma, dBeta, false);
        return dx;
    }
}
