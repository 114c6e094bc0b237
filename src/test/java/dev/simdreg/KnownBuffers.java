package dev.simdreg;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Buffers with known contents for bad-input tests: {@link #untouched()} asserts, after a failed call,
 * that every watched array and segment still holds what it held, and releases the native ones.
 */
abstract class KnownBuffers {

    final Arena arena = Arena.ofConfined();
    private final List<float[]> arrays = new ArrayList<>();
    private final List<float[]> arrayCopies = new ArrayList<>();
    private final List<MemorySegment> segments = new ArrayList<>();
    private final List<float[]> segmentCopies = new ArrayList<>();

    /** n floats of known contents, watched. */
    final float[] watchedArray(int seed, int n) {
        float[] a = filled(seed, n);
        arrays.add(a);
        arrayCopies.add(a.clone());
        return a;
    }

    /** Changes a watched array before the call, and what {@link #untouched()} expects of it. */
    final void preset(float[] watched, int i, float value) {
        for (int k = 0; k < arrays.size(); k++) {
            if (arrays.get(k) == watched) {
                watched[i] = value;
                arrayCopies.get(k)[i] = value;
                return;
            }
        }
        throw new IllegalArgumentException("not a watched array");
    }

    /** A 64-byte aligned native copy of values, watched. */
    final MemorySegment watchedSegment(float[] values) {
        MemorySegment s = nativeCopy(values);
        segments.add(s);
        segmentCopies.add(values.clone());
        return s;
    }

    /** A 64-byte aligned native copy of values, not watched: a scratch argument of one call. */
    final MemorySegment nativeCopy(float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, ValueLayout.JAVA_FLOAT, 0, values.length);
        return s;
    }

    /** Checks buffers the lists above do not watch (masks of longs); nothing by default. */
    void untouchedMasks() {
    }

    final void untouched() {
        untouchedMasks();
        for (int i = 0; i < arrays.size(); i++) {
            assertArrayEquals(arrayCopies.get(i), arrays.get(i), "array " + i + " was written");
        }
        for (int i = 0; i < segments.size(); i++) {
            assertArrayEquals(segmentCopies.get(i), segments.get(i).toArray(ValueLayout.JAVA_FLOAT),
                    "segment " + i + " was written");
        }
        arena.close();
    }

    static float[] filled(int seed, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = seed * 100 + i * 0.25f - 3;
        }
        return a;
    }
}
