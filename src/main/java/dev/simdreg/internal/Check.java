package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Argument checks of the public facade. Each throws before any kernel runs, with a message that names
 * the argument and its value or size.
 */
public final class Check {

    /** Up to this many segments, the k(k-1)/2 comparisons are cheaper than sorting. */
    private static final int PAIRWISE_LIMIT = 8;

    private Check() {
    }

    /** The number of floats in s, which must be non-null, whole floats, alive and accessible here. */
    public static long floats(MemorySegment s, String name) {
        return fourByteElements(s, name, -1, "floats");
    }

    /** As {@link #floats(MemorySegment, String)} for {@code name[index]}, its name formatted only to throw. */
    public static long floats(MemorySegment s, String name, int index) {
        return fourByteElements(s, name, index, "floats");
    }

    /** As {@link #output} for a segment of ints. */
    public static long intOutput(MemorySegment s, String name) {
        long n = fourByteElements(s, name, -1, "ints");
        if (s.isReadOnly()) {
            throw new IllegalArgumentException(name + " is read-only");
        }
        return n;
    }

    public static long count(long n, String name) {
        if (n < 0) {
            throw new IllegalArgumentException(name + " = " + n + " must be >= 0");
        }
        return n;
    }

    private static long fourByteElements(MemorySegment s, String name, int index, String kind) {
        if (s == null) {
            throw new NullPointerException(indexed(name, index));
        }
        if (s.byteSize() % Float.BYTES != 0) {
            throw new IllegalArgumentException(indexed(name, index) + " has " + s.byteSize()
                    + " bytes, not a whole number of " + kind);
        }
        accessible(s, name, index);
        return s.byteSize() / Float.BYTES;
    }

    /** s, non-null, alive and accessible from this thread, each failure naming it. */
    public static MemorySegment accessible(MemorySegment s, String name) {
        Objects.requireNonNull(s, name);
        accessible(s, name, -1);
        return s;
    }

    private static void accessible(MemorySegment s, String name, int index) {
        if (!s.scope().isAlive()) {
            throw new IllegalStateException(indexed(name, index) + ": the arena of this segment is already closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException(indexed(name, index) + ": this segment is confined to another thread");
        }
    }

    /**
     * {@code name[index]}, or name for a negative index. Checks of the members of an array argument take the
     * index and format the name only to throw: formatted for every member, the names of a call's members
     * were its garbage (measured).
     */
    private static String indexed(String name, int index) {
        return index < 0 ? name : name + "[" + index + "]";
    }

    /** As {@link #floats}, and s must be writable. */
    public static long output(MemorySegment s, String name) {
        return output(s, name, -1);
    }

    /** As {@link #output(MemorySegment, String)} for {@code name[index]}. */
    public static long output(MemorySegment s, String name, int index) {
        long n = fourByteElements(s, name, index, "floats");
        if (s.isReadOnly()) {
            throw new IllegalArgumentException(indexed(name, index) + " is read-only");
        }
        return n;
    }

    /** The segment over a whole array, for the array forms of the API. */
    public static MemorySegment array(float[] a, String name) {
        return MemorySegment.ofArray(Objects.requireNonNull(a, name));
    }

    /** As {@link #array(float[], String)} for {@code name[index]}. */
    public static MemorySegment array(float[] a, String name, int index) {
        if (a == null) {
            throw new NullPointerException(indexed(name, index));
        }
        return MemorySegment.ofArray(a);
    }

    public static void sameSize(String name, long n, String otherName, long otherN) {
        sameSize(name, n, otherName, -1, otherN);
    }

    /**
     * As {@link #sameSize(String, long, String, long)} with the first size named {@code prefix + described}, the
     * name formatted only to throw (a shape's description, built for every call, was its garbage).
     */
    public static void sameSize(String prefix, Object described, long n, String otherName, long otherN) {
        if (n != otherN) {
            throw new IllegalArgumentException(otherName + " has " + otherN + " elements but " + prefix + described
                    + " has " + n);
        }
    }

    /** As {@link #sameSize(String, long, String, long)} for {@code otherName[otherIndex]}. */
    public static void sameSize(String name, long n, String otherName, int otherIndex, long otherN) {
        if (n != otherN) {
            throw new IllegalArgumentException(indexed(otherName, otherIndex) + " has " + otherN + " elements but "
                    + name + " has " + n);
        }
    }

    /** a and b share no byte. */
    public static void disjoint(MemorySegment a, String aName, MemorySegment b, String bName) {
        disjoint(a, aName, -1, b, bName, -1);
    }

    /** {@code a} and {@code bName[bIndex]} share no byte. */
    public static void disjoint(MemorySegment a, String aName, MemorySegment b, String bName, int bIndex) {
        disjoint(a, aName, -1, b, bName, bIndex);
    }

    private static void disjoint(MemorySegment a, String aName, int aIndex, MemorySegment b, String bName, int bIndex) {
        if (a.asOverlappingSlice(b).isPresent()) {
            throw new IllegalArgumentException(indexed(aName, aIndex) + " and " + indexed(bName, bIndex)
                    + " overlap; they must be separate buffers");
        }
    }

    /**
     * No two of the segments share a byte. A few segments are compared pairwise, allocating nothing;
     * many (a model's gradients) are sorted by address within each backing object: O(k log k), not O(k^2).
     */
    public static void pairwiseDisjoint(MemorySegment[] segments, String name) {
        if (segments.length <= PAIRWISE_LIMIT) {
            for (int i = 0; i < segments.length; i++) {
                for (int j = 0; j < i; j++) {
                    disjoint(segments[j], name, j, segments[i], name, i);
                }
            }
            return;
        }
        Map<Object, List<Integer>> byBase = new IdentityHashMap<>();
        Object nativeMemory = new Object();
        for (int i = 0; i < segments.length; i++) {
            byBase.computeIfAbsent(segments[i].heapBase().orElse(nativeMemory), base -> new ArrayList<>()).add(i);
        }
        for (List<Integer> group : byBase.values()) {
            group.sort(Comparator.comparingLong(i -> segments[i].address()));
            for (int k = 1; k < group.size(); k++) {
                disjoint(segments[group.get(k - 1)], name, group.get(k - 1), segments[group.get(k)], name,
                        group.get(k));
            }
        }
    }

    /** The segment over a whole array, or null for a null array (an optional argument left out). */
    public static MemorySegment optionalArray(float[] a) {
        return a == null ? null : MemorySegment.ofArray(a);
    }

    /**
     * This thread's {@link Separation}, empty: a check that outputs share no byte with each other nor with the
     * inputs, the segments given one by one (arrays of them cost a call's garbage: 112 bytes of a batch-norm
     * backward's 920 on arrays, in a JVM that had split it over threads).
     */
    public static Separation separation() {
        return Separation.PER_THREAD.get().empty();
    }

    /** See {@link #separation}: absent (null) segments are left out; {@link #done} lets go of the segments. */
    public static final class Separation {

        private static final ThreadLocal<Separation> PER_THREAD = ThreadLocal.withInitial(Separation::new);
        private static final int MOST = 8;
        private final MemorySegment[] outputs = new MemorySegment[MOST];
        private final String[] names = new String[MOST];
        private int count;

        private Separation() {
        }

        private Separation empty() {
            Arrays.fill(outputs, null);
            count = 0;
            return this;
        }

        /** An output: it shares no byte with the outputs before it. */
        public Separation output(MemorySegment s, String name) {
            if (s != null) {
                for (int j = 0; j < count; j++) {
                    disjoint(outputs[j], names[j], s, name);
                }
                outputs[count] = s;
                names[count++] = name;
            }
            return this;
        }

        /** An input, after the outputs: it shares no byte with any of them. */
        public Separation input(MemorySegment s, String name) {
            if (s != null) {
                for (int j = 0; j < count; j++) {
                    disjoint(outputs[j], names[j], s, name);
                }
            }
            return this;
        }

        public void done() {
            empty();
        }
    }

    /** a and b are the same bytes of the same memory. */
    public static boolean same(MemorySegment a, MemorySegment b) {
        return a.byteSize() == b.byteSize() && a.address() == b.address()
                && a.heapBase().orElse(null) == b.heapBase().orElse(null);
    }

    /** out is exactly in (an in-place call) or shares no byte with it. */
    public static void sameOrDisjoint(MemorySegment out, String outName, MemorySegment in, String inName) {
        if (!same(out, in) && out.asOverlappingSlice(in).isPresent()) {
            throw new IllegalArgumentException(outName + " partially overlaps " + inName
                    + "; pass the same buffer for an in-place call, or separate buffers");
        }
    }

    public static float nonNegative(float value, String name) {
        if (!(value >= 0 && value < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " = " + value + " must be finite and >= 0");
        }
        return value;
    }

    public static float positive(float value, String name) {
        if (!(value > 0 && value < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " = " + value + " must be finite and > 0");
        }
        return value;
    }

    /** As {@link #nonNegative(float, String)} for a hyperparameter in double. */
    public static double nonNegative(double value, String name) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " = " + value + " must be finite and >= 0");
        }
        return value;
    }

    /** As {@link #positive(float, String)} for a hyperparameter in double. */
    public static double positive(double value, String name) {
        if (!(value > 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " = " + value + " must be finite and > 0");
        }
        return value;
    }

    /** value in [0, 1], a hyperparameter in double. */
    public static double fraction(double value, String name) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " = " + value + " must lie in [0, 1]");
        }
        return value;
    }

    /** value in [0, 1), a decay in double whose bias correction {@code 1 - value^t} must not vanish. */
    public static double decay(double value, String name) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " = " + value + " must lie in [0, 1)");
        }
        return value;
    }

    /** value in [0, 1]. */
    public static float fraction(float value, String name) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " = " + value + " must lie in [0, 1]");
        }
        return value;
    }

    /** value in [0, 1): a decay whose bias correction {@code 1 - value^t} must not vanish. */
    public static float decay(float value, String name) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(name + " = " + value + " must lie in [0, 1)");
        }
        return value;
    }

    /**
     * A stream offset for n draws: {@code offset >= 0} and {@code offset + n} within a long, so element
     * numbers {@code offset + i} never wrap.
     */
    public static long streamOffset(long offset, long n) {
        if (offset < 0 || offset > Long.MAX_VALUE - n) {
            throw new IllegalArgumentException("offset = " + offset + " must be >= 0 and offset + n (n = " + n
                    + ") must not exceed Long.MAX_VALUE");
        }
        return offset;
    }

    /** A keep probability: in (0, 1]. */
    public static float keepProbability(float value, String name) {
        return keepProbability(value, name, -1);
    }

    /** A keep probability {@code name[index]}: in (0, 1]. */
    public static float keepProbability(float value, String name, int index) {
        if (!(value > 0 && value <= 1)) {
            throw new IllegalArgumentException(indexed(name, index) + " = " + value + " must lie in (0, 1]");
        }
        return value;
    }

    /**
     * A bit mask for n elements, counted by the argument named counted: at least {@code ceil(n/8)} bytes, alive,
     * writable if it is an output.
     */
    public static MemorySegment mask(MemorySegment mask, String name, long n, String counted, boolean output) {
        accessible(mask, name);
        if (output && mask.isReadOnly()) {
            throw new IllegalArgumentException(name + " is read-only");
        }
        long bytes = BitMasks.bytes(n);
        if (mask.byteSize() < bytes) {
            throw new IllegalArgumentException(name + " has " + mask.byteSize() + " bytes but " + n
                    + " elements (" + counted + ") need " + bytes + " (one bit each)");
        }
        return mask.asSlice(0, bytes);
    }

    /** A long[] bit mask for n elements, counted by the argument named counted: at least {@code ceil(n/64)} longs. */
    public static MemorySegment mask(long[] mask, String name, long n, String counted) {
        Objects.requireNonNull(mask, name);
        long longs = (n + 63) >>> 6;
        if (mask.length < longs) {
            throw new IllegalArgumentException(name + " has " + mask.length + " longs but " + n
                    + " elements (" + counted + ") need " + longs + " (one bit each)");
        }
        return MemorySegment.ofArray(mask).asSlice(0, longs * Long.BYTES);
    }

    public static long step(long t, String name) {
        if (t < 1) {
            throw new IllegalArgumentException(name + " = " + t + " must be >= 1");
        }
        return t;
    }
}
