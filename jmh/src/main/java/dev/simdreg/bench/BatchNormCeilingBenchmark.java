package dev.simdreg.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The same-run copy ceiling at the sizes of the batch-norm and image shapes (as floats), and the vector-loop
 * copy beside it (see {@link CeilingBenchmark}).
 */
@State(Scope.Benchmark)
public class BatchNormCeilingBenchmark {

    @Param({BatchShapes.DENSE, BatchShapes.NCHW, BatchShapes.NHWC, ImageShapes.SMALL, ImageShapes.LARGE,
            ImageShapes.LARGE_NHWC})
    public String shape;

    private Arena arena;
    private MemorySegment src;
    private MemorySegment dst;
    private long bytes;

    @Setup
    public void setup() {
        bytes = BatchShapes.parse(shape).elements() * Float.BYTES;
        arena = Arena.ofShared();
        src = arena.allocate(bytes, 64);
        dst = arena.allocate(bytes, 64);
        for (long i = 0; i < bytes / Float.BYTES; i++) {
            src.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 17);
        }
    }

    @TearDown
    public void tearDown() {
        if (dst.mismatch(src) != -1) {
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
        CeilingBenchmark.vectorCopy(src, dst, bytes);
    }
}
