package dev.simdreg.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The least work of batch-norm training forward over long rows {@code [N, C]} that a Java loop does: the floor to
 * hold {@link BatchNormChannelsBenchmark}'s {@code rows:64x4096} against, measured in the same run
 * ({@code docs/performance.md}, "Batch norm over channel counts"). Window by window of 1024 channels, so that the
 * normalize reads x from L2: each column's sums about its first row's value (four registers of columns down every
 * row, the sums in registers); the per-channel finish in double with the divider work the op needs (a square root
 * and a division for invstd, a division for the unbiased running variance); the normalize two rows at a time, each
 * register's three coefficients loaded once for both. It leaves out what the library adds for accuracy and for the
 * same bits at every width and thread count (the pilot means, the blocks' float64 sums, the tolerance check, the
 * copies of the saved statistics): not a batch norm to use. Not in the suite (no {@code Benchmark} in its name):
 * run {@code org.openjdk.jmh.Main BatchNormLeastWork -jvmArgsAppend "-Dsimdreg.vectorBits=B"}, B from 128 to 512.
 */
@State(Scope.Benchmark)
public class BatchNormLeastWork {

    private static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Integer.getInteger("simdreg.vectorBits", VectorShape.preferredShape().vectorBitSize())));
    private static final int LANES = FLOATS.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int WINDOW = 1024;
    private static final double EPSILON = 1e-5;
    private static final double MOMENTUM = 0.1;

    /** Rows N; a power of two, so that the division by the count is a product, as the library takes it. */
    @Param({"64"})
    public int rows;

    /** Channels C; a multiple of {@link #WINDOW}. */
    @Param({"4096"})
    public int channels;

    private Arena arena;
    private MemorySegment x;
    private MemorySegment y;
    private long rowBytes;
    private float[] shifts;
    private float[] sums;
    private float[] squares;
    private float[] center;
    private float[] scale;
    private float[] shift;
    private float[] gamma;
    private float[] beta;
    private float[] runningMean;
    private float[] runningVar;

    @Setup
    public void setup() {
        if (channels % WINDOW != 0 || Integer.bitCount(rows) != 1) {
            throw new IllegalArgumentException("channels must be a multiple of " + WINDOW + " and rows a power of two");
        }
        arena = Arena.ofShared();
        SplittableRandom random = new SplittableRandom(42);
        x = BatchShapes.filled(arena, (long) rows * channels, random, 3, 2);
        y = BatchShapes.filled(arena, (long) rows * channels, random, 0, 0);
        rowBytes = (long) channels * Float.BYTES;
        shifts = new float[channels];
        sums = new float[channels];
        squares = new float[channels];
        center = new float[channels];
        scale = new float[channels];
        shift = new float[channels];
        gamma = new float[channels];
        beta = new float[channels];
        runningMean = new float[channels];
        runningVar = new float[channels];
        Arrays.fill(gamma, 1.1f);
        Arrays.fill(beta, 0.1f);
        Arrays.fill(runningVar, 1f);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void trainingForward() {
        for (int first = 0; first < channels; first += WINDOW) {
            moments(first, first + WINDOW);
            finish(first, first + WINDOW);
            normalize(first, first + WINDOW);
        }
    }

    @Benchmark
    public void momentsAlone() {
        moments(0, channels);
    }

    @Benchmark
    public void finishAlone() {
        finish(0, channels);
    }

    @Benchmark
    public void normalizeAlone() {
        normalize(0, channels);
    }

    private FloatVector load(long at) {
        return FloatVector.fromMemorySegment(FLOATS, x, at, ORDER);
    }

    /** Sums of x − K and its squares of columns {@code [c0, c1)}, K a column's first value. */
    private void moments(int c0, int c1) {
        long register = (long) LANES * Float.BYTES;
        for (int c = c0; c < c1; c += 4 * LANES) {
            long at = (long) c * Float.BYTES;
            FloatVector k0 = load(at), k1 = load(at + register), k2 = load(at + 2 * register),
                    k3 = load(at + 3 * register);
            FloatVector s0 = FloatVector.zero(FLOATS), s1 = s0, s2 = s0, s3 = s0, q0 = s0, q1 = s0, q2 = s0, q3 = s0;
            for (long p = at; p < at + rows * rowBytes; p += rowBytes) {
                FloatVector d0 = load(p).sub(k0), d1 = load(p + register).sub(k1),
                        d2 = load(p + 2 * register).sub(k2), d3 = load(p + 3 * register).sub(k3);
                s0 = s0.add(d0);
                s1 = s1.add(d1);
                s2 = s2.add(d2);
                s3 = s3.add(d3);
                q0 = d0.fma(d0, q0);
                q1 = d1.fma(d1, q1);
                q2 = d2.fma(d2, q2);
                q3 = d3.fma(d3, q3);
            }
            k0.intoArray(shifts, c);
            k1.intoArray(shifts, c + LANES);
            k2.intoArray(shifts, c + 2 * LANES);
            k3.intoArray(shifts, c + 3 * LANES);
            s0.intoArray(sums, c);
            s1.intoArray(sums, c + LANES);
            s2.intoArray(sums, c + 2 * LANES);
            s3.intoArray(sums, c + 3 * LANES);
            q0.intoArray(squares, c);
            q1.intoArray(squares, c + LANES);
            q2.intoArray(squares, c + 2 * LANES);
            q3.intoArray(squares, c + 3 * LANES);
        }
    }

    /** Mean, invstd, the affine map and the running statistics of channels {@code [c0, c1)}, in double. */
    private void finish(int c0, int c1) {
        double inverseCount = 1.0 / rows;
        for (int c = c0; c < c1; c++) {
            double offset = sums[c] * inverseCount;
            double m2 = squares[c] - sums[c] * offset;
            double mean = shifts[c] + offset;
            float invStd = (float) (1 / Math.sqrt(m2 * inverseCount + EPSILON));
            center[c] = (float) mean;
            scale[c] = gamma[c] * invStd;
            shift[c] = beta[c];
            runningMean[c] = (float) ((1 - MOMENTUM) * runningMean[c] + MOMENTUM * mean);
            runningVar[c] = (float) ((1 - MOMENTUM) * runningVar[c] + MOMENTUM * (m2 / (rows - 1)));
        }
    }

    /** y of columns {@code [c0, c1)}, two rows at a time. */
    private void normalize(int c0, int c1) {
        for (long row = 0; row < rows * rowBytes; row += 2 * rowBytes) {
            for (int c = c0; c < c1; c += LANES) {
                FloatVector mean = FloatVector.fromArray(FLOATS, center, c);
                FloatVector factor = FloatVector.fromArray(FLOATS, scale, c);
                FloatVector offset = FloatVector.fromArray(FLOATS, shift, c);
                long at = row + (long) c * Float.BYTES;
                load(at).sub(mean).fma(factor, offset).intoMemorySegment(y, at, ORDER);
                load(at + rowBytes).sub(mean).fma(factor, offset).intoMemorySegment(y, at + rowBytes, ORDER);
            }
        }
    }
}
