package dev.simdreg.internal.vector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A per-thread native segment on a cache line, grown to the largest size asked of it on that thread. */
final class ThreadScratch {

    private static final long CACHE_LINE = 64;

    private final ThreadLocal<MemorySegment> segment = ThreadLocal.withInitial(() -> MemorySegment.NULL);

    /** This thread's segment, at least bytes long; what it held is lost when it grows. */
    MemorySegment atLeast(long bytes) {
        MemorySegment s = segment.get();
        if (s.byteSize() < bytes) {
            s = Arena.ofAuto().allocate(bytes, CACHE_LINE);
            segment.set(s);
        }
        return s;
    }
}
