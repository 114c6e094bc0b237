package dev.simdreg.bench;

import jdk.incubator.vector.FloatVector;
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
 */
@State(Scope.Benchmark)
public class CeilingBenchmark {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Param({"4096", "262144", "4194304", "67108864"})
    public long bytes;

    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;

    @Setup
    public void setup() {
        arena = Arena.ofShared();
        src = arena.allocate(bytes, 64);
        dst = arena.allocate(bytes, 64);
        for (long i = 0; i < bytes / 4; i++) {
            src.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 17);
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
            FloatVector.fromMemorySegment(SPECIES, src, i, ByteOrder.nativeOrder())
                    .intoMemorySegment(dst, i, ByteOrder.nativeOrder());
        }
    }

    @Benchmark
    public void inPlaceScale() {
        long n = bytes / Float.BYTES;
        for (long i = 0; i < n; i += SPECIES.length()) {
            FloatVector.fromMemorySegment(SPECIES, src, i * 4, ByteOrder.nativeOrder()).mul(1.0000001f)
                    .intoMemorySegment(src, i * 4, ByteOrder.nativeOrder());
        }
    }
}
