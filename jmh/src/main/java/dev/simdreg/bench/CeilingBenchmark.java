package dev.simdreg.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The same-run ceiling: what the memory hierarchy gives for one read and one write stream at each size.
 * {@code copy} is the JDK's bulk copy between two native segments (the ceiling of out-of-place kernels);
 * {@code inPlaceScale} reads and writes one segment with the widest vectors (the ceiling of in-place ones).
 * {@code vectorCopy} is the copy as a loop of the widest vector loads and stores: what a kernel written with
 * the Vector API can reach, shown as a share of the bulk copy, which may move memory by other means (string
 * moves, stores that skip reading their cache lines).
 *
 * <p>The traffic ceilings are loops with a kernel's own reads and writes and nothing else, for the kernels
 * whose traffic the copy and the scale do not stand for: {@code vectorSum} for read-only ones (the norms, the
 * projections in their steady state), {@code momentumStreams} for SGD with momentum, {@code adamStreams} for
 * AdamW, with its square root and division.
 */
@State(Scope.Benchmark)
public class CeilingBenchmark {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    @Param({"4096", "262144", "4194304", "67108864"})
    public long bytes;

    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;
    private MemorySegment third;
    private MemorySegment fourth;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        src = arena.allocate(bytes, 64);
        dst = arena.allocate(bytes, 64);
        third = arena.allocate(bytes, 64);
        fourth = arena.allocate(bytes, 64);
        for (long i = 0; i < bytes / 4; i++) {
            src.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 17);
            third.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1 + i % 5);
            fourth.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1 + i % 7);
        }
    }

    @TearDown
    public void tearDown(BenchmarkParams params) {
        if (params.getBenchmark().toLowerCase().endsWith("copy") && dst.mismatch(src) != -1) {
            throw new IllegalStateException("copy did not copy");
        }
        arena.close();
    }

    @Benchmark
    public void copy() {
        MemorySegment.copy(src, 0, dst, 0, bytes);
    }

    @Benchmark
    public void vectorCopy() {
        vectorCopy(src, dst, bytes);
    }

    /** bytes (a whole number of registers) from src to dst, a register at a time. */
    static void vectorCopy(MemorySegment src, MemorySegment dst, long bytes) {
        for (long i = 0; i < bytes; i += SPECIES.vectorByteSize()) {
            load(src, i).intoMemorySegment(dst, i, ORDER);
        }
    }

    @Benchmark
    public void inPlaceScale() {
        for (long i = 0; i < bytes; i += SPECIES.vectorByteSize()) {
            load(src, i).mul(1.0000001f).intoMemorySegment(src, i, ORDER);
        }
    }

    /** One segment read into four sums, as the norms read it: the ceiling of read-only kernels. */
    @Benchmark
    public float vectorSum() {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int step = SPECIES.vectorByteSize();
        for (long i = 0; i < bytes; i += 4L * step) {
            s0 = s0.add(load(src, i));
            s1 = s1.add(load(src, i + step));
            s2 = s2.add(load(src, i + 2L * step));
            s3 = s3.add(load(src, i + 3L * step));
        }
        return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
    }

    /** SGD with momentum's traffic: reads w, g and the buffer, writes w and the buffer, an add each. */
    @Benchmark
    public void momentumStreams() {
        for (long i = 0; i < bytes; i += SPECIES.vectorByteSize()) {
            FloatVector g = load(dst, i);
            FloatVector buffer = load(third, i).add(g);
            buffer.intoMemorySegment(third, i, ORDER);
            load(src, i).add(buffer).intoMemorySegment(src, i, ORDER);
        }
    }

    /**
     * AdamW's traffic and its slowest arithmetic: reads w, g, m and v, writes w, m and v, with a square root
     * and a division per element (v stays positive: it only grows).
     */
    @Benchmark
    public void adamStreams() {
        for (long i = 0; i < bytes; i += SPECIES.vectorByteSize()) {
            FloatVector g = load(dst, i);
            FloatVector m = load(third, i).add(g);
            FloatVector v = load(fourth, i).add(1f);
            m.intoMemorySegment(third, i, ORDER);
            v.intoMemorySegment(fourth, i, ORDER);
            load(src, i).add(m.div(v.sqrt())).intoMemorySegment(src, i, ORDER);
        }
    }

    private static FloatVector load(MemorySegment s, long offset) {
        return FloatVector.fromMemorySegment(SPECIES, s, offset, ORDER);
    }
}
