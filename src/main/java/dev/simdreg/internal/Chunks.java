package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels count in int (see the vector loops); buffers beyond {@link #MAX} floats are handed to them in
 * slices of that size. A buffer that fits is passed as it is, so ordinary calls allocate nothing.
 */
public final class Chunks {

    /** Floats per chunk: 4 GiB, a multiple of every vector length. */
    public static final int MAX = 1 << 30;

    private Chunks() {
    }

    /** The number of floats in the chunk of an n-float buffer that starts at base. */
    public static int length(long n, long base) {
        return (int) Math.min(MAX, n - base);
    }

    /**
     * The segment a chunk's kernel reads from its int offset: s itself for the chunk at origin 0, a slice from
     * origin beyond it (only a buffer of more than {@link #MAX} floats has one).
     */
    public static MemorySegment at(MemorySegment s, long origin) {
        return origin == 0 ? s : s.asSlice(origin * Float.BYTES);
    }

    /** Floats {@code [base, base + length)} of s: s itself when that is all of it. */
    public static MemorySegment of(MemorySegment s, long base, int length) {
        long bytes = (long) length * Float.BYTES;
        return base == 0 && s.byteSize() == bytes ? s : s.asSlice(base * Float.BYTES, bytes);
    }
}
