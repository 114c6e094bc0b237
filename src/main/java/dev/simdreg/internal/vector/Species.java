package dev.simdreg.internal.vector;

import dev.simdreg.internal.Providers;
import dev.simdreg.internal.SumOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
    /** Passes over a block of a sum of squares (see {@link SumOrder}): one per four registers of its 64 partials. */
    static final int SQUARE_PASSES = SumOrder.SQUARE_PARTIALS / (4 * LANES);
    static final long SQUARE_GROUP_BYTES = SumOrder.SQUARE_PARTIALS * Float.BYTES;
    /** From a term of a sum's half group to the next that folds with it: j, j + 16, j + 32, j + 48. */
    static final long FOLD_STRIDE_BYTES = SumOrder.HALF / 4 * Float.BYTES;
    /** Ints and longs in registers of the same width. */
    static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
    static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, FLOATS.vectorShape());
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** The class of FLOATS' registers (see {@link #exact}). */
    @SuppressWarnings("unchecked")
    private static final Class<FloatVector> FLOAT_REGISTERS = (Class<FloatVector>) FLOATS.vectorType();
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
    static final Class<?> FLOAT_ARRAY = MemorySegment.ofArray(new float[0]).getClass();
    static final Class<?> BYTE_ARRAY = MemorySegment.ofArray(new byte[0]).getClass();
    static final Class<?> SHORT_ARRAY = MemorySegment.ofArray(new short[0]).getClass();
    static final Class<?> INT_ARRAY = MemorySegment.ofArray(new int[0]).getClass();
    static final Class<?> LONG_ARRAY = MemorySegment.ofArray(new long[0]).getClass();
    static final Class<?> DOUBLE_ARRAY = MemorySegment.ofArray(new double[0]).getClass();

    private Species() {
    }

    /** The loads and stores of the float segments that the kernel class of lookup was copied for. */
    static FloatAccess floatAccess(MethodHandles.Lookup lookup) {
        return FloatAccess.of(kind(lookup, KindCopies.FLOATS));
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

    /**
     * {@link SumOrder#totalOfSquares} of the partials {@code p[offset .. offset + 64)}, the same bits: the halves
     * down to a register's width added a register at a time (at 512 bits the four registers in one expression: the
     * steps through the array took l2Norm of 1024 floats from 55 to 61 ns), then lanes j and j + 8, j + 4, j + 2,
     * j + 1 as in {@link #total}, which it takes an array for as well.
     */
    static float totalOfSquares(float[] p, int offset) {
        FloatVector sum;
        if (LANES == 16) {
            sum = FloatVector.fromArray(FLOATS, p, offset).add(FloatVector.fromArray(FLOATS, p, offset + 32))
                    .add(FloatVector.fromArray(FLOATS, p, offset + 16).add(FloatVector.fromArray(FLOATS, p, offset + 48)));
            sum = sum.add(sum.rearrange(UP_8));
        } else {
            for (int half = SumOrder.SQUARE_PARTIALS / 2; half >= LANES; half /= 2) {
                for (int j = offset; j < offset + half; j += LANES) {
                    FloatVector.fromArray(FLOATS, p, j).add(FloatVector.fromArray(FLOATS, p, j + half)).intoArray(p, j);
                }
            }
            sum = FloatVector.fromArray(FLOATS, p, offset);
        }
        if (LANES >= 8) {
            sum = sum.add(sum.rearrange(UP_4));
        }
        sum = sum.add(sum.rearrange(UP_2));
        return sum.add(sum.rearrange(UP_1)).lane(0);
    }

    /**
     * v as a register of its exact class. A register reinterpreted from other lanes is typed FloatVector until C2
     * expands the reinterpretation, late, so C2 bound each operation on it through the receiver profiles of the
     * JDK's vector code, shared by every caller; the cast, which C2 folds, binds them as on a float load.
     */
    static FloatVector exact(FloatVector v) {
        return FLOAT_REGISTERS.cast(v);
    }

    /** v in every lane; hoisted out of the loops by C2. */
    static FloatVector splat(float v) {
        return FloatVector.broadcast(FLOATS, v);
    }

    /** The bytes {@code [i, i + species.length())} of s, a segment of the given kind, as {@link FloatAccess} reads floats. */
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
     * from, which is not negative, as C2 can see it is not: a loop counting from it then has addresses it can
     * fold. From an int start it could not bound, AdamW over 2^20 floats took 182 µs against 141 (JMH).
     */
    static int nonNegative(int from) {
        return from & Integer.MAX_VALUE;
    }

    /**
     * {@link #loopEnd} as a byte offset, for loops that count bytes in long and load with {@link FloatAccess#loadAt}.
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
