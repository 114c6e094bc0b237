package dev.simdreg.internal.vector;

import dev.simdreg.internal.Providers;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The constants of every vector loop. Static final, so C2 folds the species into the loops; a class of
 * its own, so that it is initialized only after {@link Providers#CHOICE} is decided.
 */
final class Species {

    static final VectorSpecies<Float> FLOATS = floats(Providers.CHOICE.vectorBits());
    static final int LANES = FLOATS.length();
    static final int VECTOR_BYTES = FLOATS.vectorByteSize();
    /** Ints and longs in registers of the same width. */
    static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
    static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, FLOATS.vectorShape());
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** The classes of segments from arenas, and over float[] and byte[] (the array forms of the API). */
    private static final Class<?> NATIVE = Arena.ofAuto().allocate(1).getClass();
    private static final Class<?> FLOAT_ARRAY = MemorySegment.ofArray(new float[0]).getClass();
    private static final Class<?> BYTE_ARRAY = MemorySegment.ofArray(new byte[0]).getClass();

    private Species() {
    }

    /** The vector of floats {@code [i, i + LANES)} of s. */
    static FloatVector load(MemorySegment s, long i) {
        return loadAt(s, i * Float.BYTES);
    }

    /**
     * The vector of floats at byte {@code offset} of s. The same load in one branch per kind of segment, each
     * on an exact class, so that C2 compiles each against one kind: a load site that sees both heap and
     * native segments is not intrinsified (C2 does not optimize mixed access), and the profiles that decide
     * it are in the JDK's segment code, shared by every caller in the JVM. Without the branches, one call
     * through the float[] API made every vector kernel 2 to 6 times slower on native segments (measured).
     */
    static FloatVector loadAt(MemorySegment s, long offset) {
        if (s.getClass() == NATIVE) {
            return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
        }
        if (s.getClass() == FLOAT_ARRAY) {
            return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
        }
        return FloatVector.fromMemorySegment(FLOATS, s, offset, ORDER);
    }

    /** v in every lane; hoisted out of the loops by C2. */
    static FloatVector splat(float v) {
        return FloatVector.broadcast(FLOATS, v);
    }

    /** v into floats {@code [i, i + LANES)} of s, by kind of segment as {@link #loadAt} reads. */
    static void store(FloatVector v, MemorySegment s, long i) {
        storeAt(v, s, i * Float.BYTES);
    }

    /** v at byte {@code offset} of s, by kind of segment as {@link #loadAt} reads. */
    static void storeAt(FloatVector v, MemorySegment s, long offset) {
        if (s.getClass() == NATIVE) {
            v.intoMemorySegment(s, offset, ORDER);
        } else if (s.getClass() == FLOAT_ARRAY) {
            v.intoMemorySegment(s, offset, ORDER);
        } else {
            v.intoMemorySegment(s, offset, ORDER);
        }
    }

    /** The bytes {@code [i, i + species.length())} of s, by kind of segment as {@link #loadAt} reads floats. */
    static ByteVector loadBytes(VectorSpecies<Byte> species, MemorySegment s, long i) {
        if (s.getClass() == NATIVE) {
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
