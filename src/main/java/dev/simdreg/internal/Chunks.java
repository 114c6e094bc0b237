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

    /** Floats {@code [base, base + length)} of s: s itself when that is all of it. */
    public static MemorySegment of(MemorySegment s, long base, int length) {
        long bytes = (long) length * Float.BYTES;
        return base == 0 && s.byteSize() == bytes ? s : s.asSlice(base * Float.BYTES, bytes);
    }
}
