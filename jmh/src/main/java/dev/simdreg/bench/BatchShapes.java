package dev.simdreg.bench;

import dev.simdreg.BatchShape;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** The batch-norm issue's shapes, named as JMH parameters, and the segments the benchmarks fill. */
final class BatchShapes {

    /** {@code [256, 1024]}. */
    static final String DENSE = "rows:256x1024";
    /** NCHW {@code [32, 64, 56, 56]}. */
    static final String NCHW = "nchw:32x64x56x56";
    /** NHWC of the same size. */
    static final String NHWC = "nhwc:32x56x56x64";

    private static final long PAGE = 4096;

    private BatchShapes() {
    }

    /**
     * n floats of a normal distribution in arena, on a page of their own from a page up: two buffers allocated
     * one after the other came out one cache line apart modulo 4 KiB in some forks and not in others, where a
     * loop's loads of x wait on its stores to y (4K aliasing), and {@code [64, 4096]} training forward took 82-83
     * µs in the forks with y 64 bytes after x and 71-72 in the others (JMH, six forks). Page-aligned, every fork
     * measures one placement: the buffers at the same offset modulo 4 KiB, as two large ones from malloc are.
     */
    static MemorySegment filled(Arena arena, long n, SplittableRandom random, double mean, double spread) {
        MemorySegment s = arena.allocate(n * Float.BYTES, n * Float.BYTES < PAGE ? 64 : PAGE);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (mean + spread * random.nextGaussian()));
        }
        return s;
    }

    static BatchShape parse(String name) {
        String[] kindAndDims = name.split(":");
        String[] d = kindAndDims[1].split("x");
        return switch (kindAndDims[0]) {
            case "rows" -> BatchShape.rows(Integer.parseInt(d[0]), Integer.parseInt(d[1]));
            case "nchw" -> BatchShape.channelsFirst(Integer.parseInt(d[0]), Integer.parseInt(d[1]),
                    Integer.parseInt(d[2]) * Integer.parseInt(d[3]));
            case "nhwc" -> BatchShape.channelsLast(Integer.parseInt(d[0]), Integer.parseInt(d[1]) * Integer.parseInt(d[2]),
                    Integer.parseInt(d[3]));
            default -> throw new IllegalArgumentException("shape " + name);
        };
    }
}
