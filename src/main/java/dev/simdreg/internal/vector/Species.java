package dev.simdreg.internal.vector;

import dev.simdreg.internal.Providers;
import dev.simdreg.internal.SumOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.constant.ConstantDescs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The constants of every vector loop. Static final, so C2 folds the species into the loops; a class of
 * its own, so that it is initialized only after {@link Providers#CHOICE} is decided.
 */
final class Species {

    static final VectorSpecies<Float> FLOATS = floats(Providers.CHOICE.vectorBits());
    static final int LANES = FLOATS.length();
    static final int VECTOR_BYTES = FLOATS.vectorByteSize();
    /**
     * Passes over a block of a sum (see {@link SumOrder}): one per register of the sixteen partials of each
     * half group, so one at 512 bits.
     */
    static final int SUM_PASSES = SumOrder.PARTIALS / 2 / LANES;
    static final long HALF_BYTES = SumOrder.HALF * Float.BYTES;
    /** From a term of a sum's half group to the next that folds with it: j, j + 16, j + 32, j + 48. */
    static final long FOLD_STRIDE_BYTES = SumOrder.HALF / 4 * Float.BYTES;
    /** Ints and longs in registers of the same width. */
    static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
    static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, FLOATS.vectorShape());
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Lane j from lane j + k: the steps of {@link #total}. */
    static final VectorShuffle<Float> UP_8 = VectorShuffle.iota(FLOATS, 8, 1, true);
    static final VectorShuffle<Float> UP_4 = VectorShuffle.iota(FLOATS, 4, 1, true);
    static final VectorShuffle<Float> UP_2 = VectorShuffle.iota(FLOATS, 2, 1, true);
    static final VectorShuffle<Float> UP_1 = VectorShuffle.iota(FLOATS, 1, 1, true);
    /**
     * The kind of segment of a kernel class as compiled: any. Its copies (see {@link KindCopies}) are each for
     * one class of segment, and a kind is never a segment's class.
     */
    static final Class<?> ANY = MemorySegment.class;
    /** The classes of segments from arenas (the per-thread scratch and tables), and over each primitive array. */
    static final Class<?> NATIVE = Arena.ofAuto().allocate(1).getClass();
    private static final Class<?> FLOAT_ARRAY = MemorySegment.ofArray(new float[0]).getClass();
    private static final Class<?> BYTE_ARRAY = MemorySegment.ofArray(new byte[0]).getClass();
    private static final Class<?> SHORT_ARRAY = MemorySegment.ofArray(new short[0]).getClass();
    private static final Class<?> INT_ARRAY = MemorySegment.ofArray(new int[0]).getClass();
    private static final Class<?> LONG_ARRAY = MemorySegment.ofArray(new long[0]).getClass();
    private static final Class<?> DOUBLE_ARRAY = MemorySegment.ofArray(new double[0]).getClass();
    /** Registers of FLOATS' width of each other lane type, for segments over other arrays. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, FLOATS.vectorShape());
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, FLOATS.vectorShape());
    private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, FLOATS.vectorShape());
    /** Reinterpreting lanes of another size keeps the bytes in little-endian order. */
    private static final boolean LITTLE_ENDIAN = ORDER == ByteOrder.LITTLE_ENDIAN;
    /** Segments over byte[], whose floats load as bytes reinterpreted; none where that would swap them. */
    private static final Class<?> BYTES_AS_FLOATS = LITTLE_ENDIAN ? BYTE_ARRAY : null;

    private Species() {
    }

    /** The class of the float segments that the kernel class of lookup was copied for, or {@link #ANY}. */
    static Class<?> floatKind(MethodHandles.Lookup lookup) {
        return kind(lookup, KindCopies.FLOATS);
    }

    /** The class of the byte segments that the kernel class of lookup was copied for, or {@link #ANY}. */
    static Class<?> byteKind(MethodHandles.Lookup lookup) {
        return kind(lookup, KindCopies.BYTES);
    }

    private static Class<?> kind(MethodHandles.Lookup lookup, int index) {
        try {
            List<?> kinds = MethodHandles.classData(lookup, ConstantDescs.DEFAULT_NAME, List.class);
            return kinds == null ? ANY : (Class<?>) kinds.get(index);
        } catch (IllegalAccessException e) {
            throw new AssertionError("a kernel class reads its own class data", e);
        }
    }

    /** The vector of floats {@code [i, i + LANES)} of s, a segment of the given kind. */
    static FloatVector load(Class<?> kind, MemorySegment s, long i) {
        return loadAt(kind, s, i * Float.BYTES);
    }

    /**
     * The vector of floats at byte {@code offset} of s, a segment of the given kind. In a copy of a kernel class
     * the kind is a constant class: the comparison gives C2 the segment's exact class, so that it compiles the
     * load against that one class whatever other classes the JDK's segment code, shared by every caller in
     * the JVM, has seen. A load whose segment class C2 does not know is not intrinsified when the segment may
     * be heap or native ("mixed access"), and its vectors are boxed: 19 MB per AdamW call of 2^20 floats in a
     * JVM that had also seen segments over byte[], and float[] calls 2.5 times slower after native ones
     * (measured). The kernel class as compiled, for calls that mix classes, branches on the usual classes.
     */
    static FloatVector loadAt(Class<?> kind, MemorySegment s, long offset) {
        // 34 bytes of bytecode (getClass on Object, not through the interface): C2 inlines a call it deems cold
        // only up to 35 (MaxInlineSize), and a vector returned from a call is boxed (see direct)
        if (kind == ((Object) s).getClass() && direct(kind)) {
            return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
        }
        return loadOtherAt(kind, s, offset);
    }

    /**
     * Whether segments of the kind hold floats as they are loaded: native ones and those over float[]. Their
     * loads and stores take the short path of {@link #loadAt} and {@link #storeAt}: with the kind checks and the
     * dispatch over array types in them, those were 36 and 38 bytes, and in a JVM running every kernel C2 now and
     * then deemed a loop's store cold, did not inline it and boxed a register per register of data (batch-norm
     * backward, 25-50 KB a call, AllocationTest: five runs in ten).
     */
    private static boolean direct(Class<?> kind) {
        return kind == NATIVE || kind == FLOAT_ARRAY;
    }

    /**
     * {@link #loadAt} of any other kind: over byte[] (the common one), short as loadAt; then {@link #loadRareAt}.
     */
    private static FloatVector loadOtherAt(Class<?> kind, MemorySegment s, long offset) {
        if (kind == BYTES_AS_FLOATS && kind == ((Object) s).getClass()) {
            return bytesAsFloats(s, offset);
        }
        return loadRareAt(kind, s, offset);
    }

    private static FloatVector bytesAsFloats(MemorySegment s, long offset) {
        return ByteVector.fromMemorySegment(BYTES, s, offset, ORDER).reinterpretAsFloats();
    }

    /** {@link #loadAt} of {@link #ANY}, of other arrays, or of a segment not of the kind (which throws). */
    private static FloatVector loadRareAt(Class<?> kind, MemorySegment s, long offset) {
        if (kind == ANY) {
            return loadAnyAt(s, offset);
        }
        if (s.getClass() != kind) {
            throw mismatch(kind, s);
        }
        return loadOfKind(kind, s, offset);
    }

    private static FloatVector loadAnyAt(MemorySegment s, long offset) {
        if (s.getClass() == NATIVE) {
            return loadOfKind(NATIVE, s, offset);
        }
        if (s.getClass() == FLOAT_ARRAY) {
            return loadOfKind(FLOAT_ARRAY, s, offset);
        }
        if (s.getClass() == BYTE_ARRAY) {
            return loadOfKind(BYTE_ARRAY, s, offset);
        }
        return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
    }

    /**
     * The load for a segment of class kind, a constant. C2 intrinsifies vector access to a heap segment only in
     * the lane type of its array ("not supported: op=load etype=float atype=byte" in -XX:+PrintIntrinsics;
     * boxed, 6 MB per softThreshold call of 2^20 floats): over another array the load is of that lane type,
     * reinterpreted as floats, the same bits.
     */
    private static FloatVector loadOfKind(Class<?> kind, MemorySegment s, long offset) {
        if (kind == INT_ARRAY) {
            return IntVector.fromMemorySegment(INTS, s, offset, ORDER).reinterpretAsFloats();
        }
        if (LITTLE_ENDIAN && kind == BYTE_ARRAY) {
            return ByteVector.fromMemorySegment(BYTES, s, offset, ORDER).reinterpretAsFloats();
        }
        if (LITTLE_ENDIAN && kind == SHORT_ARRAY) {
            return ShortVector.fromMemorySegment(SHORTS, s, offset, ORDER).reinterpretAsFloats();
        }
        if (LITTLE_ENDIAN && kind == LONG_ARRAY) {
            return LongVector.fromMemorySegment(LONGS, s, offset, ORDER).reinterpretAsFloats();
        }
        if (LITTLE_ENDIAN && kind == DOUBLE_ARRAY) {
            return DoubleVector.fromMemorySegment(DOUBLES, s, offset, ORDER).reinterpretAsFloats();
        }
        return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
    }

    private static IllegalStateException mismatch(Class<?> kind, MemorySegment s) {
        return new IllegalStateException("a kernel copied for " + kind.getName() + " was given " + s);
    }

    /**
     * {@link SumOrder#total} of the partials {@code p[offset .. offset + 32)}, the same bits. At 512 bits in
     * registers: the halves' partials added, then lanes j and j + 8, j + 4, j + 2, j + 1, each step a
     * rearrangement by a constant shuffle and an add; the scalar tree through the array took 1024 floats' l1Norm
     * from 28 to 50 ns. It takes an array, not registers, so that a kernel past C2's NodeCountInliningCutoff,
     * which then calls it, boxes nothing: with registers as arguments the NCHW gradient sums allocated 8.5 MB a
     * call (JMH, -prof gc).
     */
    static float total(float[] p, int offset) {
        if (LANES != 16) {
            return SumOrder.total(p, offset);
        }
        FloatVector sum = FloatVector.fromArray(FLOATS, p, offset).add(FloatVector.fromArray(FLOATS, p, offset + 16));
        sum = sum.add(sum.rearrange(UP_8));
        sum = sum.add(sum.rearrange(UP_4));
        sum = sum.add(sum.rearrange(UP_2));
        return sum.add(sum.rearrange(UP_1)).lane(0);
    }

    /** v in every lane; hoisted out of the loops by C2. */
    static FloatVector splat(float v) {
        return FloatVector.broadcast(FLOATS, v);
    }

    /** v into floats {@code [i, i + LANES)} of s, a segment of the given kind, as {@link #loadAt} reads. */
    static void store(Class<?> kind, FloatVector v, MemorySegment s, long i) {
        storeAt(kind, v, s, i * Float.BYTES);
    }

    /** v at byte {@code offset} of s, a segment of the given kind, as {@link #loadAt} reads. */
    static void storeAt(Class<?> kind, FloatVector v, MemorySegment s, long offset) {
        if (kind == ((Object) s).getClass() && direct(kind)) {
            v.intoMemorySegment(s, offset, ORDER);
            return;
        }
        storeOtherAt(kind, v, s, offset);
    }

    /** {@link #storeAt} of any other kind, as {@link #loadOtherAt}. */
    private static void storeOtherAt(Class<?> kind, FloatVector v, MemorySegment s, long offset) {
        if (kind == BYTES_AS_FLOATS && kind == ((Object) s).getClass()) {
            floatsAsBytes(v, s, offset);
            return;
        }
        storeRareAt(kind, v, s, offset);
    }

    private static void floatsAsBytes(FloatVector v, MemorySegment s, long offset) {
        v.reinterpretAsBytes().intoMemorySegment(s, offset, ORDER);
    }

    /** {@link #storeAt} as {@link #loadRareAt}. */
    private static void storeRareAt(Class<?> kind, FloatVector v, MemorySegment s, long offset) {
        if (kind == ANY) {
            storeAnyAt(v, s, offset);
            return;
        }
        if (s.getClass() != kind) {
            throw mismatch(kind, s);
        }
        storeOfKind(kind, v, s, offset);
    }

    private static void storeAnyAt(FloatVector v, MemorySegment s, long offset) {
        if (s.getClass() == NATIVE) {
            storeOfKind(NATIVE, v, s, offset);
        } else if (s.getClass() == FLOAT_ARRAY) {
            storeOfKind(FLOAT_ARRAY, v, s, offset);
        } else if (s.getClass() == BYTE_ARRAY) {
            storeOfKind(BYTE_ARRAY, v, s, offset);
        } else {
            v.intoMemorySegment(s, offset, ORDER);
        }
    }

    /** The store for a segment of class kind, a constant, in its array's lane type as {@link #loadOfKind} loads. */
    private static void storeOfKind(Class<?> kind, FloatVector v, MemorySegment s, long offset) {
        if (kind == INT_ARRAY) {
            v.reinterpretAsInts().intoMemorySegment(s, offset, ORDER);
        } else if (LITTLE_ENDIAN && kind == BYTE_ARRAY) {
            v.reinterpretAsBytes().intoMemorySegment(s, offset, ORDER);
        } else if (LITTLE_ENDIAN && kind == SHORT_ARRAY) {
            v.reinterpretAsShorts().intoMemorySegment(s, offset, ORDER);
        } else if (LITTLE_ENDIAN && kind == LONG_ARRAY) {
            v.reinterpretAsLongs().intoMemorySegment(s, offset, ORDER);
        } else if (LITTLE_ENDIAN && kind == DOUBLE_ARRAY) {
            v.reinterpretAsDoubles().intoMemorySegment(s, offset, ORDER);
        } else {
            v.intoMemorySegment(s, offset, ORDER);
        }
    }

    /** The bytes {@code [i, i + species.length())} of s, a segment of the given kind, as {@link #loadAt} reads floats. */
    static ByteVector loadBytes(Class<?> kind, VectorSpecies<Byte> species, MemorySegment s, long i) {
        if (kind != ANY && s.getClass() != kind) {
            throw mismatch(kind, s);
        }
        if (kind != ANY || s.getClass() == NATIVE) {
            return ByteVector.fromMemorySegment(species, s, i, ORDER);
        }
        if (s.getClass() == BYTE_ARRAY) {
            return ByteVector.fromMemorySegment(species, s, i, ORDER);
        }
        return ByteVector.fromMemorySegment(species, s, i, ORDER);
    }

    /**
     * The end of the main loop over {@code [from, from + n)} for a stride of {@code lanes} floats (a power of
     * two). Loops count in int: with a long induction variable C2 kept the segment bounds checks in the
     * loop, 2.6 times slower at 256 KiB (measured).
     */
    static int loopEnd(int from, int n, int lanes) {
        return from + (n & -lanes);
    }

    /**
     * {@link #loopEnd} as a byte offset, for loops that count bytes in long and load with {@link #loadAt}.
     * The norms read that way: C2 compiled their loops without bounds checks, and from memory they ran
     * 13-19% faster than counting floats in int (measured).
     */
    static long byteEnd(int from, int n, int lanes) {
        return (long) loopEnd(from, n, lanes) * Float.BYTES;
    }

    private static VectorSpecies<Float> floats(int bits) {
        return bits == 0 ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
