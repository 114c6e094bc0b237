package dev.simdreg.bench;

import dev.simdreg.Averaging;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;

/** Polyak averaging, the average updated in place from a fixed iterate. */
public class AveragingBenchmark extends BenchState {

    static final long T = 1000;
    static final float ALPHA = 0.999f;

    private float[] avg, theta;
    private MemorySegment avgs, thetas;

    @Setup
    public void setup() {
        selectProvider();
        avg = randomArray(1, 1, 0);
        theta = randomArray(2, 1, 0);
        avgs = nativeCopy(avg);
        thetas = nativeCopy(theta);
        if (!loop() && checked()) {
            float[] expected = avg.clone();
            Loops.exponentialAverage(expected, theta, ALPHA);
            Averaging.exponentialAverage(avgs, thetas, ALPHA);
            agree("exponentialAverage", expected, read(avgs));
        }
    }

    @TearDown
    public void tearDown() {
        close();
    }

    @Benchmark
    public void linearAverage() {
        if (loop()) {
            Loops.linearAverage(avg, theta, T);
        } else {
            Averaging.linearAverage(avgs, thetas, T);
        }
    }

    @Benchmark
    public void exponentialAverage() {
        if (loop()) {
            Loops.exponentialAverage(avg, theta, ALPHA);
        } else {
            Averaging.exponentialAverage(avgs, thetas, ALPHA);
        }
    }
}
