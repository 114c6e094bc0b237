package dev.simdreg.bench;

import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
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
 * Training forward of batch norm over channel counts C from 1 to 4096 in each layout, about 2^18 floats
 * (1 MiB) each, so that ns per element compares across C: no C should be slower than twice the best. The
 * setup checks that every channel of y has mean β (the normalized values' mean is 0).
 */
@State(Scope.Benchmark)
public class BatchNormChannelsBenchmark {

    @Param({"vector"})
    public String impl;

    @Param({"rows:262144x1", "rows:131072x2", "rows:87381x3", "rows:65536x4", "rows:32768x8", "rows:21845x12",
            "rows:16384x16", "rows:15420x17", "rows:4096x64", "rows:1024x256", "rows:64x4096", "nchw:8x1x1x32768",
            "nchw:8x2x1x16384", "nchw:8x3x1x10922", "nchw:8x4x1x8192", "nchw:8x8x1x4096", "nchw:8x12x1x2730",
            "nchw:8x16x1x2048", "nchw:8x17x1x1927", "nchw:8x64x1x512", "nchw:8x256x1x128", "nchw:8x4096x1x8",
            "nhwc:8x1x32768x1", "nhwc:8x1x16384x2", "nhwc:8x1x10922x3", "nhwc:8x1x8192x4", "nhwc:8x1x4096x8",
            "nhwc:8x1x2730x12", "nhwc:8x1x2048x16", "nhwc:8x1x1927x17", "nhwc:8x1x512x64", "nhwc:8x1x128x256",
            "nhwc:8x1x8x4096"})
    public String shape;

    private Arena arena;
    private BatchShape batch;
    private MemorySegment x;
    private MemorySegment y;
    private MemorySegment gamma;
    private MemorySegment beta;
    private MemorySegment savedMean;
    private MemorySegment savedInvStd;
    private MemorySegment runningMean;
    private MemorySegment runningVar;

    @Setup
    public void setup() {
        System.setProperty("simdreg.provider", impl);
        if (!Simdreg.provider().name().equals(impl)) {
            throw new IllegalStateException("benchmark wants " + impl + " but simdreg runs " + Simdreg.provider());
        }
        batch = BatchShapes.parse(shape);
        int channels = batch.channels();
        arena = Arena.ofShared();
        SplittableRandom random = new SplittableRandom(42);
        x = BatchShapes.filled(arena, batch.elements(), random, 3, 2);
        y = BatchShapes.filled(arena, batch.elements(), random, 0, 0);
        gamma = BatchShapes.filled(arena, channels, random, 1, 0.1);
        beta = BatchShapes.filled(arena, channels, random, 0, 0.1);
        savedMean = BatchShapes.filled(arena, channels, random, 0, 0);
        savedInvStd = BatchShapes.filled(arena, channels, random, 0, 0);
        runningMean = BatchShapes.filled(arena, channels, random, 0, 0);
        runningVar = BatchShapes.filled(arena, channels, random, 1, 0);
        trainingForward();
        checkMeans();
    }

    /** Each channel of y averages to its β: the normalized values average to 0. */
    private void checkMeans() {
        int channels = batch.channels();
        double[] sums = new double[channels];
        long perChannel = batch.valuesPerChannel();
        for (long i = 0; i < batch.elements(); i++) {
            int c = switch (batch.layout()) {
                case ROWS, CHANNELS_LAST -> (int) (i % channels);
                case CHANNELS_FIRST -> (int) (i / batch.spatial() % channels);
            };
            sums[c] += y.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        }
        for (int c = 0; c < channels; c++) {
            double expected = beta.getAtIndex(ValueLayout.JAVA_FLOAT, c);
            if (Math.abs(sums[c] / perChannel - expected) > 1e-3) {
                throw new IllegalStateException("channel " + c + " of y averages " + sums[c] / perChannel
                        + ", expected beta = " + expected);
            }
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void trainingForward() {
        BatchNorm.trainingForward(batch, x, y, gamma, beta, savedMean, savedInvStd, runningMean, runningVar,
                BatchNormOptions.defaults());
    }
}
