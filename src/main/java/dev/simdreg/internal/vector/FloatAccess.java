package dev.simdreg.internal.vector;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.INTS;
import static dev.simdreg.internal.vector.Species.LONGS;
import static dev.simdreg.internal.vector.Species.ORDER;
import static dev.simdreg.internal.vector.Species.exact;

/**
 * The loads and stores of a copy of a kernel class (see {@link KindCopies}) on the float segments of one class,
 * its kind: a record per way C2 compiles them. A copy holds its instance in a static final field, so C2 sees the
 * record's exact class and its {@code kind} as a constant, binds the calls statically, and the comparison with
 * the segment's class gives it that exact class: it compiles the load against one class whatever other classes
 * the JDK's segment code, shared by every caller in the JVM, has seen. A load whose segment class C2 does not know
 * is not intrinsified when the segment may be heap or native, and its vectors are boxed: 19 MB per AdamW call of
 * 2^20 floats in a JVM that had also seen segments over byte[], and float[] calls 2.5 times slower after native
 * ones (measured).
 * <p>
 * Each method of {@link Direct} and {@link BytesAsFloats} is at most 35 bytes of bytecode (MaxInlineSize, the
 * limit at a call C2 deems cold) and calls nothing but the JDK's force-inlined vector code, {@link Species#exact}
 * (11 bytes) and its own loadAt on its fast path;
 * compiled on its own (when C1 code calls it),
 * its kind is not a constant and its code stays small. One shared load that branched by kind to a helper per
 * kind did not hold: C2 compiled the byte[] helper on its own, the helper's call site was cold in the shared
 * profile, and C2 inlines a compiled callee at a cold site only if its code is under InlineSmallCode / 4
 * ("already compiled into a medium method" in -XX:+PrintInlining): in one JVM run in four at 128 bits, every
 * call on byte[]-backed segments boxed a register per register (AllocationTest).
 */
sealed interface FloatAccess {

    /** The loads and stores of the per-thread scratch and tables, allocated from arenas. */
    FloatAccess NATIVE = of(Species.NATIVE);

    /** The access for float segments of class kind, or of any class for {@link Species#ANY}. */
    static FloatAccess of(Class<?> kind) {
        if (kind == Species.ANY) {
            return new Mixed();
        }
        if (kind == Species.NATIVE || kind == Species.FLOAT_ARRAY) {
            return new Direct(kind);
        }
        if (kind == Species.BYTE_ARRAY && Reinterpreted.LITTLE_ENDIAN) {
            return new BytesAsFloats(kind);
        }
        return new Reinterpreted(kind);
    }

    /** The floats {@code [i, i + LANES)} of s. */
    FloatVector load(MemorySegment s, long i);

    /** The floats from byte {@code offset} of s. */
    FloatVector loadAt(MemorySegment s, long offset);

    /** v into the floats {@code [i, i + LANES)} of s. */
    void store(FloatVector v, MemorySegment s, long i);

    /** v into s from byte {@code offset}. */
    void storeAt(FloatVector v, MemorySegment s, long offset);

    private static IllegalStateException mismatch(MemorySegment s) {
        return new IllegalStateException("a kernel copied for another class of segment was given " + s);
    }

    /** Native segments and those over float[]: the floats as they are. */
    record Direct(Class<?> kind) implements FloatAccess {
        @Override
        public FloatVector load(MemorySegment s, long i) {
            if (kind == ((Object) s).getClass()) {
                return FloatVector.fromMemorySegment(FLOATS, s, i * Float.BYTES, ORDER);
            }
            throw mismatch(s);
        }

        @Override
        public FloatVector loadAt(MemorySegment s, long offset) {
            if (kind == ((Object) s).getClass()) {
                return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
            }
            throw mismatch(s);
        }

        @Override
        public void store(FloatVector v, MemorySegment s, long i) {
            if (kind != ((Object) s).getClass()) {
                throw mismatch(s);
            }
            v.intoMemorySegment(s, i * Float.BYTES, ORDER);
        }

        @Override
        public void storeAt(FloatVector v, MemorySegment s, long offset) {
            if (kind != ((Object) s).getClass()) {
                throw mismatch(s);
            }
            v.intoMemorySegment(s, offset, ORDER);
        }
    }

    /**
     * Segments over byte[], the common other kind, in bytes reinterpreted: C2 intrinsifies vector access to a
     * heap segment only in the lane type of its array ("not supported: op=load etype=float atype=byte" in
     * -XX:+PrintIntrinsics; boxed, 6 MB per softThreshold call of 2^20 floats). Little-endian only, where the
     * reinterpretation keeps the floats' bytes in order.
     */
    record BytesAsFloats(Class<?> kind) implements FloatAccess {
        private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, FLOATS.vectorShape());

        @Override
        public FloatVector load(MemorySegment s, long i) {
            return loadAt(s, i * Float.BYTES);
        }

        @Override
        public FloatVector loadAt(MemorySegment s, long offset) {
            if (kind == ((Object) s).getClass()) {
                return exact(ByteVector.fromMemorySegment(BYTES, s, offset, ORDER).reinterpretAsFloats());
            }
            throw mismatch(s);
        }

        @Override
        public void store(FloatVector v, MemorySegment s, long i) {
            if (kind != ((Object) s).getClass()) {
                throw mismatch(s);
            }
            v.reinterpretAsBytes().intoMemorySegment(s, i * Float.BYTES, ORDER);
        }

        @Override
        public void storeAt(FloatVector v, MemorySegment s, long offset) {
            if (kind != ((Object) s).getClass()) {
                throw mismatch(s);
            }
            v.reinterpretAsBytes().intoMemorySegment(s, offset, ORDER);
        }
    }

    /**
     * Segments over the other primitive arrays, in their array's lane type reinterpreted as {@link BytesAsFloats}
     * explains; rare, so one record for them all, whose dispatch on the kind C2 folds where it inlines it.
     */
    record Reinterpreted(Class<?> kind) implements FloatAccess {
        /** Reinterpreting lanes of another size keeps the bytes in little-endian order. */
        static final boolean LITTLE_ENDIAN = ORDER == ByteOrder.LITTLE_ENDIAN;
        private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, FLOATS.vectorShape());
        private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, FLOATS.vectorShape());

        @Override
        public FloatVector load(MemorySegment s, long i) {
            return loadAt(s, i * Float.BYTES);
        }

        @Override
        public FloatVector loadAt(MemorySegment s, long offset) {
            if (kind != ((Object) s).getClass()) {
                throw mismatch(s);
            }
            return loadOfKind(kind, s, offset);
        }

        @Override
        public void store(FloatVector v, MemorySegment s, long i) {
            storeAt(v, s, i * Float.BYTES);
        }

        @Override
        public void storeAt(FloatVector v, MemorySegment s, long offset) {
            if (kind != ((Object) s).getClass()) {
                throw mismatch(s);
            }
            storeOfKind(kind, v, s, offset);
        }

        /** The load for a segment of class kind, a constant where C2 inlines it. */
        static FloatVector loadOfKind(Class<?> kind, MemorySegment s, long offset) {
            if (kind == Species.INT_ARRAY) {
                return exact(IntVector.fromMemorySegment(INTS, s, offset, ORDER).reinterpretAsFloats());
            }
            if (LITTLE_ENDIAN && kind == Species.BYTE_ARRAY) {
                return exact(ByteVector.fromMemorySegment(BytesAsFloats.BYTES, s, offset, ORDER).reinterpretAsFloats());
            }
            if (LITTLE_ENDIAN && kind == Species.SHORT_ARRAY) {
                return exact(ShortVector.fromMemorySegment(SHORTS, s, offset, ORDER).reinterpretAsFloats());
            }
            if (LITTLE_ENDIAN && kind == Species.LONG_ARRAY) {
                return exact(LongVector.fromMemorySegment(LONGS, s, offset, ORDER).reinterpretAsFloats());
            }
            if (LITTLE_ENDIAN && kind == Species.DOUBLE_ARRAY) {
                return exact(DoubleVector.fromMemorySegment(DOUBLES, s, offset, ORDER).reinterpretAsFloats());
            }
            return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
        }

        /** The store for a segment of class kind, in its array's lane type as {@link #loadOfKind} loads. */
        static void storeOfKind(Class<?> kind, FloatVector v, MemorySegment s, long offset) {
            if (kind == Species.INT_ARRAY) {
                v.reinterpretAsInts().intoMemorySegment(s, offset, ORDER);
            } else if (LITTLE_ENDIAN && kind == Species.BYTE_ARRAY) {
                v.reinterpretAsBytes().intoMemorySegment(s, offset, ORDER);
            } else if (LITTLE_ENDIAN && kind == Species.SHORT_ARRAY) {
                v.reinterpretAsShorts().intoMemorySegment(s, offset, ORDER);
            } else if (LITTLE_ENDIAN && kind == Species.LONG_ARRAY) {
                v.reinterpretAsLongs().intoMemorySegment(s, offset, ORDER);
            } else if (LITTLE_ENDIAN && kind == Species.DOUBLE_ARRAY) {
                v.reinterpretAsDoubles().intoMemorySegment(s, offset, ORDER);
            } else {
                v.intoMemorySegment(s, offset, ORDER);
            }
        }
    }

    /**
     * The kernel class as compiled, for calls whose segments are not all of one class: a branch per load on the
     * usual classes, each then compiled against its class.
     */
    record Mixed() implements FloatAccess {
        @Override
        public FloatVector load(MemorySegment s, long i) {
            return loadAt(s, i * Float.BYTES);
        }

        @Override
        public FloatVector loadAt(MemorySegment s, long offset) {
            if (s.getClass() == Species.NATIVE) {
                return Reinterpreted.loadOfKind(Species.NATIVE, s, offset);
            }
            if (s.getClass() == Species.FLOAT_ARRAY) {
                return Reinterpreted.loadOfKind(Species.FLOAT_ARRAY, s, offset);
            }
            if (s.getClass() == Species.BYTE_ARRAY) {
                return Reinterpreted.loadOfKind(Species.BYTE_ARRAY, s, offset);
            }
            return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
        }

        @Override
        public void store(FloatVector v, MemorySegment s, long i) {
            storeAt(v, s, i * Float.BYTES);
        }

        @Override
        public void storeAt(FloatVector v, MemorySegment s, long offset) {
            if (s.getClass() == Species.NATIVE) {
                Reinterpreted.storeOfKind(Species.NATIVE, v, s, offset);
            } else if (s.getClass() == Species.FLOAT_ARRAY) {
                Reinterpreted.storeOfKind(Species.FLOAT_ARRAY, v, s, offset);
            } else if (s.getClass() == Species.BYTE_ARRAY) {
                Reinterpreted.storeOfKind(Species.BYTE_ARRAY, v, s, offset);
            } else {
                v.intoMemorySegment(s, offset, ORDER);
            }
        }
    }
}
