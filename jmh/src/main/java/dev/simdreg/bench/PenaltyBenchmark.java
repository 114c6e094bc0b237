package dev.simdreg.bench;

import dev.simdreg.Penalties;
import dev.simdreg.Projections;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;

/**
 * Norm penalties and projections. projectToL2Ball, maxNormRows and clipGradNorm are measured in the
 * steady state of training, where the buffers are already within the limit: a norm pass and no write
 * (a call that does scale leaves its buffer within the limit, so repeated calls cannot measure the
 * scaling pass).
 */
public class PenaltyBenchmark extends BenchState {

    /** Columns per row for maxNormRows: a layer with 1024 inputs per unit. */
    static final int COLS = 1024;
    static final float THRESHOLD = 0.5f;
    static final float RATE = 0.01f;
    static final float L1 = 1e-3f;

    private float[] x, out, w, g;
    private MemorySegment xs, outs, ws, gs;
    private MemorySegment[] gradSegments;
    private float[][] gradArrays;
    private int rows, cols;

    @Setup
    public void setup() {
        selectProvider();
        x = randomArray(1, 1, 0);
        out = new float[n];
        w = randomArray(2, 1, 0);
        g = randomArray(3, 0.1, 0);
        xs = nativeCopy(x);
        outs = nativeCopy(out);
        ws = nativeCopy(w);
        gs = nativeCopy(g);
        cols = Math.min(COLS, n);
        rows = n / cols;
        gradSegments = new MemorySegment[] {xs};
        gradArrays = new float[][] {x};
        if (checked()) {
            checkAgainstLoop();
        }
    }

    private void checkAgainstLoop() {
        float[] expected = new float[n];
        Loops.softThreshold(x, THRESHOLD, expected);
        if (!loop()) {
            Penalties.softThreshold(xs, THRESHOLD, outs);
            agree("softThreshold", expected, read(outs));
            // against double: the plain float loop itself drifts by 1.4% at 16M elements
            double sum = 0;
            for (float v : x) {
                sum += (double) v * v;
            }
            float norm = Penalties.l2Norm(xs);
            if (Math.abs(norm - Math.sqrt(sum)) > 1e-5 * Math.sqrt(sum)) {
                throw new IllegalStateException("l2Norm " + norm + " vs " + Math.sqrt(sum));
            }
        }
    }

    @TearDown
    public void tearDown() {
        close();
    }

    @Benchmark
    public void softThreshold() {
        if (loop()) {
            Loops.softThreshold(x, THRESHOLD, out);
        } else {
            Penalties.softThreshold(xs, THRESHOLD, outs);
        }
    }

    @Benchmark
    public void proximalL1Step() {
        if (loop()) {
            Loops.proximalL1Step(w, g, RATE, RATE * L1);
        } else {
            Penalties.proximalL1Step(ws, gs, RATE, L1);
        }
    }

    @Benchmark
    public float l1Norm() {
        return loop() ? Loops.l1Norm(x) : Penalties.l1Norm(xs);
    }

    @Benchmark
    public float l2Norm() {
        return loop() ? Loops.l2Norm(x) : Penalties.l2Norm(xs);
    }

    @Benchmark
    public long maxNormRows() {
        return loop() ? Loops.maxNormRows(x, rows, cols, 1e6f) : Projections.maxNormRows(xs, rows, cols, 1e6f);
    }

    @Benchmark
    public float projectToL2Ball() {
        return loop() ? Loops.projectToL2Ball(x, 1e9f) : Projections.projectToL2Ball(xs, 1e9f);
    }

    @Benchmark
    public float clipGradNorm() {
        return loop() ? Loops.clipGradNorm(gradArrays, 1e9f) : Projections.clipGradNorm(gradSegments, 1e9f);
    }
}
