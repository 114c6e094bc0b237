package dev.simdreg.internal.vector;

import dev.simdreg.internal.PenaltyKernels;
import dev.simdreg.internal.ScalarPenaltyKernels;
import dev.simdreg.internal.SumOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.HALF_BYTES;
import static dev.simdreg.internal.vector.Species.FOLD_STRIDE_BYTES;
import static dev.simdreg.internal.vector.Species.SQUARE_GROUP_BYTES;
import static dev.simdreg.internal.vector.Species.SQUARE_PASSES;
import static dev.simdreg.internal.vector.Species.SUM_PASSES;
import static dev.simdreg.internal.vector.Species.UP_1;
import static dev.simdreg.internal.vector.Species.UP_2;
import static dev.simdreg.internal.vector.Species.UP_4;
import static dev.simdreg.internal.vector.Species.UP_8;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.VECTOR_BYTES;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.nonNegative;
import static dev.simdreg.internal.vector.Species.splat;
import static dev.simdreg.internal.vector.Species.total;

/**
 * Vector norm-penalty kernels. Sums take {@link SumOrder}'s order: a sum of magnitudes folds each half of a
 * group, four registers, into one accumulator of its own, so each chain of adds waits for one add per four loads;
 * a sum of squares keeps its 64 partials in four registers at a time, each a chain of fmas.
 */
final class VectorPenaltyKernels implements PenaltyKernels {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());

    private static final int SIGN_BIT = 0x8000_0000;

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
    public void softThreshold(MemorySegment x, MemorySegment out, int from, int n, float threshold) {
        int i = nonNegative(from);
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            KIND.store(softThreshold(KIND.load(x, i), threshold), out, i);
        }
        ScalarPenaltyKernels.softThresholdRange(x, out, i, from + n, threshold);
    }

    @Override
    public void proximalL1Step(MemorySegment w, MemorySegment g, int from, int n, float learningRate, float threshold) {
        int i = nonNegative(from);
        for (int end = loopEnd(i, n, LANES); i < end; i += LANES) {
            KIND.store(softThreshold(KIND.load(g, i).fma(splat(-learningRate), KIND.load(w, i)), threshold), w, i);
        }
        ScalarPenaltyKernels.proximalL1StepRange(w, g, i, from + n, learningRate, threshold);
    }

    /**
     * At 512 bits, two or more rows of whole groups of squares at most a block long go LANES rows to a loop (see
     * {@link #sumSquaresOfRowRun}); other rows one by one as {@link #sumInBlocks} sums them, and so a single row: its
     * maxNormRows of 1024 floats took 54-57 ns through the loop, 51 so (JMH; 47f43de 50).
     */
    @Override
    public void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums) {
        int r = 0;
        if (rows > 1 && SQUARE_PASSES == 1 && cols % SumOrder.SQUARE_PARTIALS == 0 && cols <= SUM_BLOCK) {
            for (; r < rows; r += LANES) {
                sumSquaresOfRowRun(x, from + r * cols, Math.min(LANES, rows - r), cols, sums, r);
            }
            return;
        }
        for (; r < rows; r++) {
            sums[r] = (float) sumInBlocks(x, from + r * cols, cols, true, 1f);
        }
    }

    /**
     * The sums of squares of count consecutive rows (count at most LANES) into {@code sums[r..r + count)}, by
     * one loop over all their groups: at each row's end the row's sum is shifted into a register of sums
     * and the partials start again, and that register is stored once, after the loop. From memory, a
     * loop per 4 KiB row read 64 MiB in 1.8-2.3 ms, and this loop with a store at each row's end in 2.3-2.9,
     * against 1.4-1.5 for this loop before the count down below and 1.2-1.6 for one loop without rows (a
     * harness, 2026-11-25): each loop starts with C2's checks, and a store with the accumulators cleared kept
     * the bounds checks in the loop.
     * The row's end is found by counting its groups down: tested as the byte offset reaching the
     * row's end, C2 moved the segment's address through a vector register and back in every iteration (a
     * chain from one iteration to the next) and added a second jump, and 64 rows of 1024 floats took 1.60-1.62
     * against 1.39-1.43 us in cache, 64 MiB 1.40-1.47 against 1.32-1.41 ms (harness, 2026-11-25).
     */
    private static void sumSquaresOfRowRun(MemorySegment x, int first, int count, int cols, float[] sums, int r) {
        // No operation's receiver is a register carried round the loop (a phi, whose exact class C2 does not know
        // as it parses): such calls are bound by the receiver's profile, and where C2 compiled this loop from a
        // thin one (a JVM whose C2 queue was long, the loop compiled at tier 2 first) they were calls, their
        // registers boxed: 6440 bytes a call of maxNormRows on segments over byte[] in 4 JVM runs of 9 of
        // AllocationTest at 512 bits (JFR: the slice's blend and the adds in Java code). Hence each fma takes its new
        // term as receiver, the tree's adds this iteration's sums, and the constant indexes select the lanes.
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, rowSums = zero;
        int groupsPerRow = cols / SumOrder.SQUARE_PARTIALS, groupsLeft = groupsPerRow;
        long at = (long) first * Float.BYTES;
        for (long end = at + (long) count * cols * Float.BYTES; at < end; at += SQUARE_GROUP_BYTES) {
            FloatVector v0 = KIND.loadAt(x, at), v1 = KIND.loadAt(x, at + VECTOR_BYTES);
            FloatVector v2 = KIND.loadAt(x, at + 2 * VECTOR_BYTES), v3 = KIND.loadAt(x, at + 3 * VECTOR_BYTES);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
            a2 = v2.fma(v2, a2);
            a3 = v3.fma(v3, a3);
            if (--groupsLeft == 0) {
                // Species.totalOfSquares' tree, in the registers: through the array, 64 rows of 1024 floats ran at
                // 0.68 of this (the fold's tree, measured)
                FloatVector sum = a0.add(a2).add(a1.add(a3));
                sum = sum.add(sum.rearrange(UP_8));
                sum = sum.add(sum.rearrange(UP_4));
                sum = sum.add(sum.rearrange(UP_2));
                sum = sum.add(sum.rearrange(UP_1));
                rowSums = NEXT_THEN_TOTAL.selectFrom(rowSums, sum); // the row sums down a lane, this row's last
                groupsLeft = groupsPerRow;
                a0 = zero;
                a1 = zero;
                a2 = zero;
                a3 = zero;
            }
        }
        // the last count lanes, this run's rows, to the first (indexes past the register wrap into its copy)
        FloatVector last = LANE_INDEXES.add(LANES - count).selectFrom(rowSums, rowSums);
        last.intoArray(sums, r, FLOATS.indexInRange(0, count));
    }

    /** Lane l: {@code l}, as a float index. */
    private static final FloatVector LANE_INDEXES = FloatVector.zero(FLOATS).addIndex(1);
    /** Lane l takes lane {@code l + 1} of the first of two registers, the last lane the second's first. */
    private static final FloatVector NEXT_THEN_TOTAL = LANE_INDEXES.add(1);

    @Override
    public float blockTotal(MemorySegment x, int from, int n, boolean squares, float scale) {
        return squares ? sumSquaresBlock(x, from, n, scale) : sumAbsBlock(x, from, n);
    }

    /** Σ|x| or Σ(scale·x)² (squares) over blocks of {@link #SUM_BLOCK} floats, in {@link SumOrder}'s order. */
    private static double sumInBlocks(MemorySegment x, int from, int n, boolean squares, float scale) {
        double total = 0;
        int end = from + n;
        for (int block = from; block < end; block += SUM_BLOCK) {
            int length = Math.min(SUM_BLOCK, end - block);
            total += squares ? sumSquaresBlock(x, block, length, scale) : sumAbsBlock(x, block, length);
        }
        return total;
    }

    /**
     * A block's Σ|x|: a pass per register of partials over the block's whole groups, each half group's four
     * registers folded and added to the pass's accumulator of that half, the two accumulators swapping at each
     * half (a loop body of eight loads, one per term of a group, took sumAbsBlock past C2's
     * NodeCountInliningCutoff: it boxed, 912 bytes and 0.15 of the speed at 1024 floats), then the short last
     * group as the scalar kernels take it. At 512 bits without a short group the partials stay in their two
     * registers and {@link Species#total}'s tree runs on them: through the thread's scratch array, l1Norm of 1024
     * floats took 41-42 ns, so 39-40 (JMH).
     */
    private static float sumAbsBlock(MemorySegment x, int from, int n) {
        long start = (long) from * Float.BYTES;
        long end = SumOrder.wholeHalvesEnd(from, from + n) * Float.BYTES;
        boolean oddHalves = (end - start) / HALF_BYTES % 2 == 1;
        boolean inRegisters = SUM_PASSES == 1 && end == (long) (from + n) * Float.BYTES;
        float[] p = inRegisters ? null : SumOrder.scratch();
        for (int pass = 0; pass < SUM_PASSES; pass++) {
            FloatVector partials = FloatVector.zero(FLOATS), otherPartials = partials;
            for (long at = start + (long) pass * VECTOR_BYTES; at < end; at += HALF_BYTES) {
                FloatVector m0 = magnitude(KIND.loadAt(x, at));
                FloatVector m1 = magnitude(KIND.loadAt(x, at + FOLD_STRIDE_BYTES));
                FloatVector m2 = magnitude(KIND.loadAt(x, at + 2 * FOLD_STRIDE_BYTES));
                FloatVector m3 = magnitude(KIND.loadAt(x, at + 3 * FOLD_STRIDE_BYTES));
                FloatVector added = partials.add(m0.add(m1).add(m2.add(m3)));
                partials = otherPartials;
                otherPartials = added;
            }
            if (inRegisters) {
                FloatVector sum = partials.add(otherPartials);
                sum = sum.add(sum.rearrange(UP_8));
                sum = sum.add(sum.rearrange(UP_4));
                sum = sum.add(sum.rearrange(UP_2));
                return sum.add(sum.rearrange(UP_1)).lane(0);
            }
            (oddHalves ? otherPartials : partials).intoArray(p, pass * LANES);
            (oddHalves ? partials : otherPartials).intoArray(p, 16 + pass * LANES);
        }
        ScalarPenaltyKernels.addAbsGroups(x, from, end / Float.BYTES, from + n, p);
        return total(p, 0);
    }

    /**
     * |v| by clearing the sign bit, the same bits as {@code v.abs()}, which C2 compiled to slower code: with
     * this, l1Norm went from 634k to 683–690k calls per second at 256 KiB and from 488–491 to 593–619 at
     * 64 MiB, softThreshold from 341–402k to 463–466k at 256 KiB (measured).
     */
    private static FloatVector magnitude(FloatVector v) {
        return v.reinterpretAsInts().and(0x7FFF_FFFF).reinterpretAsFloats();
    }

    /**
     * A block's Σ(scale·x)² in {@link SumOrder}'s rule for squares, the product skipped at scale 1 (all but rescaled
     * sums): a pass per four registers of the 64 partials over the block's whole groups of 64, each register a chain
     * of fmas of its own, then the short last group as the scalar kernels take it.
     */
    private static float sumSquaresBlock(MemorySegment x, int from, int n, float scale) {
        boolean scaled = scale != 1f; // a loop invariant: C2 unswitches the loop on it
        long start = (long) from * Float.BYTES;
        long end = start + (long) (n & -SumOrder.SQUARE_PARTIALS) * Float.BYTES;
        float[] p = SumOrder.scratch();
        for (int pass = 0; pass < SQUARE_PASSES; pass++) {
            FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
            for (long at = start + (long) pass * 4 * VECTOR_BYTES; at < end; at += SQUARE_GROUP_BYTES) {
                FloatVector v0 = scaled(KIND.loadAt(x, at), scaled, scale);
                FloatVector v1 = scaled(KIND.loadAt(x, at + VECTOR_BYTES), scaled, scale);
                FloatVector v2 = scaled(KIND.loadAt(x, at + 2 * VECTOR_BYTES), scaled, scale);
                FloatVector v3 = scaled(KIND.loadAt(x, at + 3 * VECTOR_BYTES), scaled, scale);
                a0 = v0.fma(v0, a0);
                a1 = v1.fma(v1, a1);
                a2 = v2.fma(v2, a2);
                a3 = v3.fma(v3, a3);
            }
            int partial = pass * 4 * LANES;
            a0.intoArray(p, partial);
            a1.intoArray(p, partial + LANES);
            a2.intoArray(p, partial + 2 * LANES);
            a3.intoArray(p, partial + 3 * LANES);
        }
        ScalarPenaltyKernels.addSquares(x, from, end / Float.BYTES, from + n, scale, p);
        return Species.totalOfSquares(p, 0);
    }

    private static FloatVector scaled(FloatVector v, boolean scaled, float scale) {
        return scaled ? v.mul(scale) : v;
    }

    @Override
    public float maxAbs(MemorySegment x, int from, int n) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0;
        int i = from;
        for (int end = loopEnd(from, n, 2 * LANES); i < end; i += 2 * LANES) {
            a0 = a0.max(magnitude(KIND.load(x, i)));
            a1 = a1.max(magnitude(KIND.load(x, i + LANES)));
        }
        return Math.max(a0.max(a1).reduceLanes(VectorOperators.MAX), ScalarPenaltyKernels.maxAbsRange(x, i, from + n));
    }

    @Override
    public void scale(MemorySegment x, int from, int n, float factor) {
        int i = from;
        for (int end = loopEnd(from, n, LANES); i < end; i += LANES) {
            KIND.store(KIND.load(x, i).mul(factor), x, i);
        }
        ScalarPenaltyKernels.scaleRange(x, i, from + n, factor);
    }
}
