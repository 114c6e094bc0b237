package dev.simdreg.bench;

import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.ChannelMoments;
import dev.simdreg.Simdreg;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Batch normalization on the shapes, with γ and β, on 64-byte aligned native segments. The setup
 * checks one forward pass against a float64 computation of the same layer, so a fork measuring wrong
 * results fails.
 */
@State(Scope.Benchmark)
public class BatchNormBenchmark {

    @Param({"vector", "scalar"})
    public String impl;

    @Param({BatchShapes.DENSE, BatchShapes.NCHW, BatchShapes.NHWC})
    public String shape;

    /** With the fused ReLU: off in the suites, {@code -p relu=true} to measure it. */
    @Param({"false"})
    public boolean relu;

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
    private BatchNormOptions options;
    private ChannelMoments moments;

    @Setup
    public void setup() {
        System.setProperty("simdreg.provider", impl);
        if (!Simdreg.provider().name().equals(impl)) {
            throw new IllegalStateException("benchmark wants " + impl + " but simdreg runs " + Simdreg.provider());
        }
        options = BatchNormOptions.defaults().withRelu(relu);
        batch = BatchShapes.parse(shape);
        arena = Arena.ofShared();
        SplittableRandom random = new SplittableRandom(42);
        x = BatchShapes.filled(arena, batch.elements(), random, 3, 2);
        dy = BatchShapes.filled(arena, batch.elements(), random, 0, 1);
        y = BatchShapes.filled(arena, batch.elements(), random, 0, 0);
        dx = BatchShapes.filled(arena, batch.elements(), random, 0, 0);
        int c = batch.channels();
        gamma = BatchShapes.filled(arena, c, random, 1, 0.1);
        beta = BatchShapes.filled(arena, c, random, 0, 0.1);
        savedMean = BatchShapes.filled(arena, c, random, 0, 0);
        savedInvStd = BatchShapes.filled(arena, c, random, 0, 0);
        runningMean = BatchShapes.filled(arena, c, random, 0, 0);
        runningVar = BatchShapes.filled(arena, c, random, 1, 0);
        dGamma = BatchShapes.filled(arena, c, random, 0, 0);
        dBeta = BatchShapes.filled(arena, c, random, 0, 0);
        moments = new ChannelMoments(c);
        trainingForward();
        checkForward();
    }

    /** y of channel 0 against float64, from the statistics of x. */
    private void checkForward() {
        double sum = 0;
        double squares = 0;
        long count = batch.valuesPerChannel();
        for (int n = 0; n < batch.batch(); n++) {
            for (int s = 0; s < batch.spatial(); s++) {
                sum += get(x, indexOfChannel0(n, s));
            }
        }
        double mean = sum / count;
        for (int n = 0; n < batch.batch(); n++) {
            for (int s = 0; s < batch.spatial(); s++) {
                double d = get(x, indexOfChannel0(n, s)) - mean;
                squares += d * d;
            }
        }
        double invStd = 1 / Math.sqrt(squares / count + options.epsilon());
        for (int n = 0; n < batch.batch(); n++) {
            long i = indexOfChannel0(n, 0);
            double affine = (get(x, i) - mean) * invStd * get(gamma, 0) + get(beta, 0);
            double expected = relu ? Math.max(affine, 0) : affine;
            if (Math.abs(get(y, i) - expected) > 1e-4 * (1 + Math.abs(expected))) {
                throw new IllegalStateException("y[" + i + "] = " + get(y, i) + ", expected " + expected);
            }
        }
    }

    private long indexOfChannel0(int n, int s) {
        return switch (batch.layout()) {
            case ROWS -> (long) n * batch.channels();
            case CHANNELS_FIRST -> (long) n * batch.channels() * batch.spatial() + s;
            case CHANNELS_LAST -> ((long) n * batch.spatial() + s) * batch.channels();
        };
    }

    private static float get(MemorySegment s, long i) {
        return s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** The statistics alone, as each worker of synchronized batch norm computes them on its shard. */
    @Benchmark
    public ChannelMoments addMoments() {
        moments.clear();
        BatchNorm.addMoments(batch, x, moments);
        return moments;
    }

    @Benchmark
    public void trainingForward() {
        BatchNorm.trainingForward(batch, x, y, gamma, beta, savedMean, savedInvStd, runningMean, runningVar, options);
    }

    @Benchmark
    public void inferenceForward() {
        BatchNorm.inferenceForward(batch, x, y, gamma, beta, runningMean, runningVar, options);
    }

    @Benchmark
    public void trainingBackward() {
        BatchNorm.trainingBackward(batch, x, dy, dx, gamma, beta, savedMean, savedInvStd, dGamma, dBeta, relu);
    }

    @Benchmark
    public void inferenceBackward() {
        BatchNorm.inferenceBackward(batch, x, dy, dx, gamma, beta, runningMean, runningVar, dGamma, dBeta, options);
    }
}
