package dev.simdreg.properties;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The storage kinds every kernel is checked on. */
enum Storage {
    /** The {@code float[]} form of the API. */
    ARRAY,
    /** A segment over a {@code float[]}. */
    HEAP_SEGMENT,
    /** A native segment, 64-byte aligned. */
    NATIVE_ALIGNED,
    /** A native segment at an odd float offset from a 64-byte boundary. */
    NATIVE_ODD_OFFSET;

    boolean usesArrayApi() {
        return this == ARRAY;
    }

    /** A buffer of this kind holding a copy of values. */
    Buffer hold(Arena arena, float[] values) {
        MemorySegment segment = switch (this) {
            case ARRAY, HEAP_SEGMENT -> MemorySegment.ofArray(values.clone());
            case NATIVE_ALIGNED -> arena.allocate((long) values.length * Float.BYTES, 64);
            case NATIVE_ODD_OFFSET -> arena.allocate((long) (values.length + 1) * Float.BYTES, 64)
                    .asSlice(Float.BYTES, (long) values.length * Float.BYTES);
        };
        MemorySegment.copy(values, 0, segment, ValueLayout.JAVA_FLOAT, 0, values.length);
        return new Buffer(segment);
    }

    /** A buffer, as the API form of one storage kind sees it. */
    record Buffer(MemorySegment segment) {
        /** The backing array, for the {@code float[]} form (only for heap kinds). */
        float[] array() {
            return (float[]) segment.heapBase().orElseThrow();
        }

        float[] read() {
            return segment.toArray(ValueLayout.JAVA_FLOAT);
        }
    }
}
