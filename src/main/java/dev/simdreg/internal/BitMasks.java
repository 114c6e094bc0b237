package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Bit masks of one bit per element: element i is bit {@code i mod 8} of byte {@code i / 8} (a byte
 * mask, little-endian by definition), or bit {@code i mod 64} of long {@code i / 64} (a long[] mask, in
 * the platform's order). Either way it is read and written in 64-bit groups; a group at the end of the
 * mask may be shorter, and only its bytes inside the mask are touched.
 */
public final class BitMasks {

    private static final ValueLayout.OfLong LITTLE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong BIG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private BitMasks() {
    }

    /** Bytes of a mask of n elements: {@code ceil(n / 8)}. */
    public static long bytes(long n) {
        return (n + 7) >>> 3;
    }

    /** The 64 bits of group g, bits beyond the mask 0. */
    public static long read(MemorySegment mask, ByteOrder order, long g) {
        long at = g * Long.BYTES;
        if (mask.byteSize() - at >= Long.BYTES) {
            return mask.get(layout(order), at);
        }
        long bits = 0;
        for (int b = 0, count = (int) (mask.byteSize() - at); b < count; b++) {
            bits |= (mask.get(ValueLayout.JAVA_BYTE, at + b) & 0xFFL) << (8 * b);
        }
        return bits;
    }

    /** Writes group g: a whole long, or the bytes of it that lie inside the mask. */
    public static void write(MemorySegment mask, ByteOrder order, long g, long bits) {
        long at = g * Long.BYTES;
        if (mask.byteSize() - at >= Long.BYTES) {
            mask.set(layout(order), at, bits);
            return;
        }
        for (int b = 0, count = (int) (mask.byteSize() - at); b < count; b++) {
            mask.set(ValueLayout.JAVA_BYTE, at + b, (byte) (bits >>> (8 * b)));
        }
    }

    /**
     * Groups {@code [first, first + count)} into {@code into[0 … count)}: the whole longs in one copy, a short
     * last group as {@link #read} gives it.
     */
    public static void readGroups(MemorySegment mask, ByteOrder order, long first, long[] into, int count) {
        int whole = wholeGroups(mask, first, count);
        MemorySegment.copy(mask, layout(order), first * Long.BYTES, into, 0, whole);
        for (int g = whole; g < count; g++) {
            into[g] = read(mask, order, first + g);
        }
    }

    /** {@code from[0 … count)} into groups {@code [first, first + count)}, as {@link #readGroups} reads them. */
    public static void writeGroups(MemorySegment mask, ByteOrder order, long first, long[] from, int count) {
        int whole = wholeGroups(mask, first, count);
        MemorySegment.copy(from, 0, mask, layout(order), first * Long.BYTES, whole);
        for (int g = whole; g < count; g++) {
            write(mask, order, first + g, from[g]);
        }
    }

    /** How many of the count groups from first lie wholly inside the mask. */
    private static int wholeGroups(MemorySegment mask, long first, int count) {
        return (int) Math.max(0, Math.min(count, mask.byteSize() / Long.BYTES - first));
    }

    /** The n low bits of v, the rest cleared (n in [0, 64]). */
    public static long low(long v, long n) {
        return n >= 64 ? v : v & ((1L << n) - 1);
    }

    private static ValueLayout.OfLong layout(ByteOrder order) {
        return order == ByteOrder.LITTLE_ENDIAN ? LITTLE : BIG;
    }
}
