package dev.simdreg.bench;

import dev.simdreg.Simdreg;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Buffers and the implementation under test. JMH forks a JVM per parameter combination, so the
 * provider property set here, before the first simdreg call of the fork, picks the provider; the
 * check after it makes a wrong fork fail instead of measuring the wrong thing.
 */
@State(Scope.Benchmark)
public abstract class BenchState {

    /** {@code vector} and {@code scalar}: the library's providers on native segments; {@code loop}: plain Java on float[]. */
    @Param({"vector", "scalar", "loop"})
    public String impl;

    /** Bytes per array. */
    @Param({"4096", "262144", "4194304", "67108864"})
    public long bytes;

    private static final long CHECKED_BYTES = 4 << 20;
    private static final int RANDOM_FLOATS = 1 << 16;

    protected Arena arena;
    protected int n;

    /** Selects the provider and checks it; call first in every @Setup. */
    protected void selectProvider() {
        System.setProperty("simdreg.provider", impl.equals("scalar") ? "scalar" : "vector");
        String active = Simdreg.provider().name();
        String expected = impl.equals("scalar") ? "scalar" : "vector";
        if (!active.equals(expected)) {
            throw new IllegalStateException("benchmark wants " + expected + " but simdreg runs " + Simdreg.provider());
        }
        arena = Arena.ofShared();
        n = Math.toIntExact(bytes / Float.BYTES);
    }

    protected boolean loop() {
        return impl.equals("loop");
    }

    /**
     * Whether the fork checks what it measures (against the plain loop, or the definitions for the random
     * streams): up to 4 MiB per array. The 64 MiB forks run the same kernels; there the checks ran before the
     * JIT had compiled them, and an OptimizerBenchmark fork took 3.3 s instead of 1.4 (measured; the quick
     * suite had run past its 10 minutes).
     */
    protected boolean checked() {
        return bytes <= CHECKED_BYTES;
    }

    /**
     * n floats, normal with the given scale, offset by shift: the first {@value #RANDOM_FLOATS} drawn, then
     * repeated, which took an OptimizerBenchmark fork at 64 MiB from 1.38 to 1.16 s (measured). A pattern that
     * long is still random to a branch predictor, for the loops that branch on their data.
     */
    protected float[] randomArray(long seed, double scale, double shift) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] a = new float[n];
        int drawn = Math.min(n, RANDOM_FLOATS);
        for (int i = 0; i < drawn; i++) {
            a[i] = (float) (shift + scale * random.nextGaussian());
        }
        for (int i = drawn; i < n; i += drawn) {
            System.arraycopy(a, 0, a, i, Math.min(drawn, n - i));
        }
        return a;
    }

    /** A 64-byte aligned native copy of a. */
    protected MemorySegment nativeCopy(float[] a) {
        MemorySegment s = arena.allocate((long) a.length * Float.BYTES, 64);
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_FLOAT, 0, a.length);
        return s;
    }

    protected void close() {
        arena.close();
    }

    /** Fails the trial if got and expected differ beyond float rounding of the same computation. */
    protected static void agree(String what, float[] expected, float[] got) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float tolerance = 1e-5f * Math.max(1f, Math.abs(e));
            if (!(Math.abs(got[i] - e) <= tolerance) && !(Float.isNaN(e) && Float.isNaN(got[i]))) {
                throw new IllegalStateException(what + "[" + i + "]: expected " + e + ", got " + got[i]);
            }
        }
    }

    protected static float[] read(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }
}
