package dev.simdreg.internal.vector;

import dev.simdreg.internal.Providers;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The constants of every vector loop. Static final, so C2 folds the species into the loops; a class of
 * its own, so that it is initialized only after {@link Providers#CHOICE} is decided.
 */
final class Species {

    static final VectorSpecies<Float> FLOATS = floats(Providers.CHOICE.vectorBits());
    static final int LANES = FLOATS.length();
    /** Ints and longs in registers of the same width. */
    static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
    static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, FLOATS.vectorShape());
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private Species() {
    }

    /** The vector of floats {@code [i, i + LANES)} of s. */
    static FloatVector load(MemorySegment s, long i) {
        return FloatVector.fromMemorySegment(FLOATS, s, (long) i * Float.BYTES, ORDER);
    }

    /** v in every lane; hoisted out of the loops by C2. */
    static FloatVector splat(float v) {
        return FloatVector.broadcast(FLOATS, v);
    }

    static void store(FloatVector v, MemorySegment s, long i) {
        v.intoMemorySegment(s, (long) i * Float.BYTES, ORDER);
    }

    /**
     * The end of the main loop over {@code [from, from + n)} for a stride of {@code lanes} floats (a power of
     * two). Loops count in int: with a long induction variable C2 kept the segment bounds checks in the
     * loop, 2.6 times slower at 256 KiB (measured).
     */
    static int loopEnd(int from, int n, int lanes) {
        return from + (n & -lanes);
    }

    private static VectorSpecies<Float> floats(int bits) {
        return bits == 0 ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
