package dev.simdreg.internal.vector;

import dev.simdreg.internal.PartialSums;
import dev.simdreg.internal.PenaltyKernels;
import dev.simdreg.internal.ScalarPenaltyKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.VECTOR_BYTES;
import static dev.simdreg.internal.vector.Species.byteEnd;
import static dev.simdreg.internal.vector.Species.loadAt;
import static dev.simdreg.internal.vector.Species.load;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.splat;
import static dev.simdreg.internal.vector.Species.store;

/**
 * Vector norm-penalty kernels. Sums follow {@link PartialSums}' order, so that they give the same bits at
 * every width and on the scalar provider; its 64 partials are enough registers that no add waits on the
 * previous one's 3-4 cycle latency.
 */
final class VectorPenaltyKernels implements PenaltyKernels {

    /** The class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final Class<?> KIND = Species.floatKind(MethodHandles.lookup());

    private static final int SIGN_BIT = 0x8000_0000;
    /** PartialSums' 64 partials as registers of this width: 4 at 512 bits, 8 at 256, 16 at 128. */
    private static final int REGISTERS = PartialSums.PARTIALS / LANES;
    /** Bytes of one group of 64 floats, an iteration of the sums' loops. */
    private static final long GROUP_BYTES = (long) PartialSums.PARTIALS * Float.BYTES;
    private static final FloatVector ZERO = FloatVector.zero(FLOATS);

    /**
     * {@code sign(x) * max(|x| - t, 0)} as {@code sign(x) * (|x| - min(|x|, t))}: the same bits. The min is
     * of the magnitudes' bits as ints, one instruction (vpminsd), where a float min's Java semantics (NaN,
     * -0.0) cost a sequence on x86; a NaN's bits exceed t's, so a NaN stays NaN. The sign of x goes onto
     * the result in one bitwise op (vpternlog on x86), so zero results keep it, as PyTorch's softshrink.
     */
    private static FloatVector softThreshold(FloatVector x, float threshold) {
        IntVector magnitude = magnitude(x).reinterpretAsInts();
        FloatVector clipped = magnitude.min(Float.floatToRawIntBits(threshold)).reinterpretAsFloats();
        IntVector excess = magnitude.reinterpretAsFloats().sub(clipped).reinterpretAsInts();
        return excess.lanewise(VectorOperators.BITWISE_BLEND, x.reinterpretAsInts(), SIGN_BIT).reinterpretAsFloats();
    }

    @Override
    public void softThreshold(MemorySegment x, MemorySegment out, int n, float threshold) {
        int i = 0;
        for (int end = loopEnd(0, n, LANES); i < end; i += LANES) {
            store(KIND, softThreshold(load(KIND, x, i), threshold), out, i);
        }
        ScalarPenaltyKernels.softThresholdRange(x, out, i, n, threshold);
    }

    @Override
    public void proximalL1Step(MemorySegment w, MemorySegment g, int n, float learningRate, float threshold) {
        int i = 0;
        for (int end = loopEnd(0, n, LANES); i < end; i += LANES) {
            store(KIND, softThreshold(load(KIND, g, i).fma(splat(-learningRate), load(KIND, w, i)), threshold), w, i);
        }
        ScalarPenaltyKernels.proximalL1StepRange(w, g, i, n, learningRate, threshold);
    }

    @Override
    public float sumAbs(MemorySegment x, int from, int n) {
        return (float) sumInBlocks(x, from, n, false, 1f);
    }

    @Override
    public float sumSquares(MemorySegment x, int from, int n, float scale) {
        return (float) sumInBlocks(x, from, n, true, scale);
    }

    /**
     * Rows of whole groups of 64 floats, at most a block long, LANES rows to a loop (see
     * {@link #sumSquaresOfRowRun}); other rows one at a time, as {@link #sumSquares} sums them: each row's sum
     * is the same bits as sumSquares over the row.
     */
    @Override
    public void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums) {
        if (cols % PartialSums.PARTIALS == 0 && cols <= PartialSums.BLOCK) {
            for (int r = 0; r < rows; r += LANES) {
                sumSquaresOfRowRun(x, from + r * cols, Math.min(LANES, rows - r), cols, sums, r);
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            sums[r] = (float) sumInBlocks(x, from + r * cols, cols, true, 1f);
        }
    }

    /**
     * The sums of squares of count consecutive rows (count at most LANES) into {@code sums[r..r + count)}, by
     * one loop over all their registers: at each row's end the row's partials are combined, its sum is shifted
     * into a register of sums and the accumulators start again, and that register is stored once, after the
     * loop. From memory, a loop per 4 KiB row read 64 MiB in 1.8-2.3 ms, and this loop with a store at each
     * row's end in 2.3-2.9, against 1.4-1.5 for this loop before the count down below and 1.2-1.6 for one loop
     * without rows (a harness, 2026-11-25): each loop starts with C2's checks, and a store with the
     * accumulators cleared kept the bounds checks in the loop. The row's end is found by counting its groups
     * down: tested as the byte offset reaching the row's end, C2 moved the segment's address through a vector
     * register and back in every iteration (harness, 2026-11-25).
     */
    private static void sumSquaresOfRowRun(MemorySegment x, int first, int count, int cols, float[] sums, int r) {
        FloatVector a0 = ZERO, a1 = ZERO, a2 = ZERO, a3 = ZERO, a4 = ZERO, a5 = ZERO, a6 = ZERO, a7 = ZERO;
        FloatVector a8 = ZERO, a9 = ZERO, a10 = ZERO, a11 = ZERO, a12 = ZERO, a13 = ZERO, a14 = ZERO, a15 = ZERO;
        FloatVector rowSums = ZERO;
        int groupsPerRow = cols / PartialSums.PARTIALS, groupsLeft = groupsPerRow;
        long at = (long) first * Float.BYTES;
        for (long end = at + (long) count * cols * Float.BYTES; at < end; at += GROUP_BYTES) {
            a0 = square(a0, x, at, 0);
            a1 = square(a1, x, at, 1);
            a2 = square(a2, x, at, 2);
            a3 = square(a3, x, at, 3);
            if (REGISTERS > 4) {
                a4 = square(a4, x, at, 4);
                a5 = square(a5, x, at, 5);
                a6 = square(a6, x, at, 6);
                a7 = square(a7, x, at, 7);
            }
            if (REGISTERS > 8) {
                a8 = square(a8, x, at, 8);
                a9 = square(a9, x, at, 9);
                a10 = square(a10, x, at, 10);
                a11 = square(a11, x, at, 11);
                a12 = square(a12, x, at, 12);
                a13 = square(a13, x, at, 13);
                a14 = square(a14, x, at, 14);
                a15 = square(a15, x, at, 15);
            }
            if (--groupsLeft == 0) {
                float sum = combine(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
                rowSums = rowSums.slice(1, FloatVector.broadcast(FLOATS, sum));
                groupsLeft = groupsPerRow;
                a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = ZERO;
                a8 = a9 = a10 = a11 = a12 = a13 = a14 = a15 = ZERO;
            }
        }
        rowSums.slice(LANES - count).intoArray(sums, r, FLOATS.indexInRange(0, count));
    }

    /** Σ|x| or Σ(scale·x)² (squares) over blocks of PartialSums.BLOCK floats in PartialSums' order. */
    private static double sumInBlocks(MemorySegment x, int from, int n, boolean squares, float scale) {
        double total = 0;
        int end = from + n;
        for (int block = from; block < end; block += PartialSums.BLOCK) {
            total += sumBlock(x, block, Math.min(PartialSums.BLOCK, end - block), squares, scale);
        }
        return total;
    }

    /**
     * One block's sum: PartialSums' 64 partials in REGISTERS registers, register k holding partials
     * {@code k·LANES} to {@code (k + 1)·LANES − 1}; the registers C2 finds unused at a width are dead. A block
     * of whole groups is combined in the registers, the same tree as {@link PartialSums#combine}; a block with
     * a tail stores its partials, adds the tail in order and combines them in scalar code.
     */
    private static float sumBlock(MemorySegment x, int from, int n, boolean squares, float scale) {
        boolean scaled = scale != 1f; // loop invariants: C2 unswitches the loop on them
        FloatVector a0 = ZERO, a1 = ZERO, a2 = ZERO, a3 = ZERO, a4 = ZERO, a5 = ZERO, a6 = ZERO, a7 = ZERO;
        FloatVector a8 = ZERO, a9 = ZERO, a10 = ZERO, a11 = ZERO, a12 = ZERO, a13 = ZERO, a14 = ZERO, a15 = ZERO;
        long at = (long) from * Float.BYTES;
        for (long end = byteEnd(from, n, PartialSums.PARTIALS); at < end; at += GROUP_BYTES) {
            a0 = term(a0, x, at, 0, squares, scaled, scale);
            a1 = term(a1, x, at, 1, squares, scaled, scale);
            a2 = term(a2, x, at, 2, squares, scaled, scale);
            a3 = term(a3, x, at, 3, squares, scaled, scale);
            if (REGISTERS > 4) {
                a4 = term(a4, x, at, 4, squares, scaled, scale);
                a5 = term(a5, x, at, 5, squares, scaled, scale);
                a6 = term(a6, x, at, 6, squares, scaled, scale);
                a7 = term(a7, x, at, 7, squares, scaled, scale);
            }
            if (REGISTERS > 8) {
                a8 = term(a8, x, at, 8, squares, scaled, scale);
                a9 = term(a9, x, at, 9, squares, scaled, scale);
                a10 = term(a10, x, at, 10, squares, scaled, scale);
                a11 = term(a11, x, at, 11, squares, scaled, scale);
                a12 = term(a12, x, at, 12, squares, scaled, scale);
                a13 = term(a13, x, at, 13, squares, scaled, scale);
                a14 = term(a14, x, at, 14, squares, scaled, scale);
                a15 = term(a15, x, at, 15, squares, scaled, scale);
            }
        }
        int tail = (int) (at / Float.BYTES);
        if (tail == from + n) {
            return combine(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
        }
        float[] partials = PartialSums.cleared();
        a0.intoArray(partials, 0);
        a1.intoArray(partials, LANES);
        a2.intoArray(partials, 2 * LANES);
        a3.intoArray(partials, 3 * LANES);
        if (REGISTERS > 4) {
            a4.intoArray(partials, 4 * LANES);
            a5.intoArray(partials, 5 * LANES);
            a6.intoArray(partials, 6 * LANES);
            a7.intoArray(partials, 7 * LANES);
        }
        if (REGISTERS > 8) {
            a8.intoArray(partials, 8 * LANES);
            a9.intoArray(partials, 9 * LANES);
            a10.intoArray(partials, 10 * LANES);
            a11.intoArray(partials, 11 * LANES);
            a12.intoArray(partials, 12 * LANES);
            a13.intoArray(partials, 13 * LANES);
            a14.intoArray(partials, 14 * LANES);
            a15.intoArray(partials, 15 * LANES);
        }
        return squares ? PartialSums.finishSquares(partials, x, from, tail, from + n, scale)
                : PartialSums.finishAbs(partials, x, from, tail, from + n);
    }

    /** Register k of the group at byte {@code at} added to sum: |v|, or (scale·v)² by one fused multiply-add. */
    private static FloatVector term(FloatVector sum, MemorySegment x, long at, int k, boolean squares, boolean scaled,
                                    float scale) {
        FloatVector v = loadAt(KIND, x, at + (long) k * VECTOR_BYTES);
        if (!squares) {
            return sum.add(magnitude(v));
        }
        FloatVector w = scaled ? v.mul(scale) : v;
        return w.fma(w, sum);
    }

    /** Register k of the group at byte {@code at}, squared into sum by one fused multiply-add. */
    private static FloatVector square(FloatVector sum, MemorySegment x, long at, int k) {
        FloatVector v = loadAt(KIND, x, at + (long) k * VECTOR_BYTES);
        return v.fma(v, sum);
    }

    /**
     * PartialSums' tree over the partials in REGISTERS registers: first across registers (partial p takes
     * p + 32, p + 16, ... while they lie in other registers), then across the lanes of the last one.
     */
    private static float combine(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, FloatVector a4,
                                 FloatVector a5, FloatVector a6, FloatVector a7, FloatVector a8, FloatVector a9,
                                 FloatVector a10, FloatVector a11, FloatVector a12, FloatVector a13, FloatVector a14,
                                 FloatVector a15) {
        if (REGISTERS > 8) {
            a0 = a0.add(a8);
            a1 = a1.add(a9);
            a2 = a2.add(a10);
            a3 = a3.add(a11);
            a4 = a4.add(a12);
            a5 = a5.add(a13);
            a6 = a6.add(a14);
            a7 = a7.add(a15);
        }
        if (REGISTERS > 4) {
            a0 = a0.add(a4);
            a1 = a1.add(a5);
            a2 = a2.add(a6);
            a3 = a3.add(a7);
        }
        FloatVector v = a0.add(a2).add(a1.add(a3));
        for (int half = LANES / 2; half > 0; half /= 2) {
            v = v.add(v.slice(half));
        }
        return v.lane(0);
    }

    /**
     * |v| by clearing the sign bit, the same bits as {@code v.abs()}, which C2 compiled to slower code: with
     * this, l1Norm went from 634k to 683–690k calls per second at 256 KiB and from 488–491 to 593–619 at
     * 64 MiB, softThreshold from 341–402k to 463–466k at 256 KiB (measured).
     */
    private static FloatVector magnitude(FloatVector v) {
        return v.reinterpretAsInts().and(0x7FFF_FFFF).reinterpretAsFloats();
    }

    @Override
    public float maxAbs(MemorySegment x, int from, int n) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0;
        int i = from;
        for (int end = loopEnd(from, n, 2 * LANES); i < end; i += 2 * LANES) {
            a0 = a0.max(magnitude(load(KIND, x, i)));
            a1 = a1.max(magnitude(load(KIND, x, i + LANES)));
        }
        return Math.max(a0.max(a1).reduceLanes(VectorOperators.MAX), ScalarPenaltyKernels.maxAbsRange(x, i, from + n));
    }

    @Override
    public void scale(MemorySegment x, int from, int n, float factor) {
        int i = from;
        for (int end = loopEnd(from, n, LANES); i < end; i += LANES) {
            store(KIND, load(KIND, x, i).mul(factor), x, i);
        }
        ScalarPenaltyKernels.scaleRange(x, i, from + n, factor);
    }
}
