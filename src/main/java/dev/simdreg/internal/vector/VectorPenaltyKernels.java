package dev.simdreg.internal.vector;

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
 * Vector norm-penalty kernels. Reductions keep four accumulators: one would chain every add on the
 * previous one's 3-4 cycle latency.
 */
final class VectorPenaltyKernels implements PenaltyKernels {

    /** The class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final Class<?> KIND = Species.floatKind(MethodHandles.lookup());

    private static final int SIGN_BIT = 0x8000_0000;
    /** Floats per block of a sum: 64 KiB, a multiple of every unroll. */
    private static final int BLOCK = 1 << 14;

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
     * Rows of whole groups of four registers, at most a block long, LANES rows to a loop (see
     * {@link #sumSquaresOfRowRun}); other rows of at most a block two at a time, each with two accumulators,
     * so that their loads interleave; longer rows and the last odd one as {@link #sumSquares} sums them.
     */
    @Override
    public void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums) {
        int r = 0;
        if (cols % (4 * LANES) == 0 && cols <= BLOCK) {
            for (; r < rows; r += LANES) {
                sumSquaresOfRowRun(x, from + r * cols, Math.min(LANES, rows - r), cols, sums, r);
            }
            return;
        }
        if (cols <= BLOCK) {
            for (; r + 1 < rows; r += 2) {
                sumSquaresOfTwoRows(x, from + r * cols, cols, sums, r);
            }
        }
        for (; r < rows; r++) {
            sums[r] = (float) sumInBlocks(x, from + r * cols, cols, true, 1f);
        }
    }

    /**
     * The sums of squares of count consecutive rows (count at most LANES) into {@code sums[r..r + count)}, by
     * one loop over all their registers: at each row's end the row's sum is shifted into a register of sums
     * and the accumulators start again, and that register is stored once, after the loop. From memory, a
     * loop per 4 KiB row read 64 MiB in 1.8-2.3 ms, and this loop with a store at each row's end in 2.3-2.9,
     * against 1.4-1.5 for this loop before the count down below and 1.2-1.6 for one loop without rows (a
     * harness, 2026-11-25): each loop starts with C2's checks, and a store with the accumulators cleared kept
     * the bounds checks in the loop.
     * The row's end is found by counting its register groups down: tested as the byte offset reaching the
     * row's end, C2 moved the segment's address through a vector register and back in every iteration (a
     * chain from one iteration to the next) and added a second jump, and 64 rows of 1024 floats took 1.60-1.62
     * against 1.39-1.43 us in cache, 64 MiB 1.40-1.47 against 1.32-1.41 ms (harness, 2026-11-25).
     */
    private static void sumSquaresOfRowRun(MemorySegment x, int first, int count, int cols, float[] sums, int r) {
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, rowSums = zero;
        int groupsPerRow = cols / (4 * LANES), groupsLeft = groupsPerRow;
        long at = (long) first * Float.BYTES;
        for (long end = at + (long) count * cols * Float.BYTES; at < end; at += 4 * VECTOR_BYTES) {
            FloatVector v0 = loadAt(KIND, x, at), v1 = loadAt(KIND, x, at + VECTOR_BYTES);
            FloatVector v2 = loadAt(KIND, x, at + 2 * VECTOR_BYTES), v3 = loadAt(KIND, x, at + 3 * VECTOR_BYTES);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
            a2 = v2.fma(v2, a2);
            a3 = v3.fma(v3, a3);
            if (--groupsLeft == 0) {
                float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
                rowSums = rowSums.slice(1, FloatVector.broadcast(FLOATS, sum));
                groupsLeft = groupsPerRow;
                a0 = zero;
                a1 = zero;
                a2 = zero;
                a3 = zero;
            }
        }
        rowSums.slice(LANES - count).intoArray(sums, r, FLOATS.indexInRange(0, count));
    }

    private static void sumSquaresOfTwoRows(MemorySegment x, int first, int cols, float[] sums, int r) {
        int second = first + cols;
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, b0 = a0, b1 = a0;
        int i = 0;
        for (int end = loopEnd(0, cols, 2 * LANES); i < end; i += 2 * LANES) {
            FloatVector u0 = load(KIND, x, first + i), u1 = load(KIND, x, first + i + LANES);
            FloatVector v0 = load(KIND, x, second + i), v1 = load(KIND, x, second + i + LANES);
            a0 = u0.fma(u0, a0);
            a1 = u1.fma(u1, a1);
            b0 = v0.fma(v0, b0);
            b1 = v1.fma(v1, b1);
        }
        for (int end = loopEnd(0, cols, LANES); i < end; i += LANES) {
            FloatVector u = load(KIND, x, first + i), v = load(KIND, x, second + i);
            a0 = u.fma(u, a0);
            b0 = v.fma(v, b0);
        }
        sums[r] = a0.add(a1).reduceLanes(VectorOperators.ADD)
                + ScalarPenaltyKernels.sumSquaresRange(x, first + i, first + cols, 1f);
        sums[r + 1] = b0.add(b1).reduceLanes(VectorOperators.ADD)
                + ScalarPenaltyKernels.sumSquaresRange(x, second + i, second + cols, 1f);
    }

    /**
     * Σ|x| or Σ(scale·x)² (squares) over blocks of {@link #BLOCK} floats: float partial sums within a
     * block, then double across blocks. Sixteen-lane float partials alone drift by 3e-5 over 16M elements
     * (measured); per block each of the 4·LANES partial sums adds at most 1024 terms (256 at 512 bits).
     */
    private static double sumInBlocks(MemorySegment x, int from, int n, boolean squares, float scale) {
        double total = 0;
        int end = from + n;
        for (int block = from; block < end; block += BLOCK) {
            int length = Math.min(BLOCK, end - block);
            total += squares ? sumSquaresBlock(x, block, length, scale) : sumAbsBlock(x, block, length);
        }
        return total;
    }

    private static float sumAbsBlock(MemorySegment x, int from, int n) {
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
        long at = (long) from * Float.BYTES;
        for (long end = byteEnd(from, n, 4 * LANES); at < end; at += 4 * VECTOR_BYTES) {
            a0 = a0.add(magnitude(loadAt(KIND, x, at)));
            a1 = a1.add(magnitude(loadAt(KIND, x, at + VECTOR_BYTES)));
            a2 = a2.add(magnitude(loadAt(KIND, x, at + 2 * VECTOR_BYTES)));
            a3 = a3.add(magnitude(loadAt(KIND, x, at + 3 * VECTOR_BYTES)));
        }
        for (long end = byteEnd(from, n, LANES); at < end; at += VECTOR_BYTES) {
            a0 = a0.add(magnitude(loadAt(KIND, x, at)));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD)
                + ScalarPenaltyKernels.sumAbsRange(x, (int) (at / Float.BYTES), from + n);
    }

    /**
     * |v| by clearing the sign bit, the same bits as {@code v.abs()}, which C2 compiled to slower code: with
     * this, l1Norm went from 634k to 683–690k calls per second at 256 KiB and from 488–491 to 593–619 at
     * 64 MiB, softThreshold from 341–402k to 463–466k at 256 KiB (measured).
     */
    private static FloatVector magnitude(FloatVector v) {
        return v.reinterpretAsInts().and(0x7FFF_FFFF).reinterpretAsFloats();
    }

    /** Σ(scale·x)², the product skipped at scale 1 (every sum but the rescaled one of tiny or huge input). */
    private static float sumSquaresBlock(MemorySegment x, int from, int n, float scale) {
        boolean scaled = scale != 1f; // a loop invariant: C2 unswitches the loop on it
        FloatVector a0 = FloatVector.zero(FLOATS), a1 = a0, a2 = a0, a3 = a0;
        long at = (long) from * Float.BYTES;
        for (long end = byteEnd(from, n, 4 * LANES); at < end; at += 4 * VECTOR_BYTES) {
            FloatVector v0 = scaled(loadAt(KIND, x, at), scaled, scale);
            FloatVector v1 = scaled(loadAt(KIND, x, at + VECTOR_BYTES), scaled, scale);
            FloatVector v2 = scaled(loadAt(KIND, x, at + 2 * VECTOR_BYTES), scaled, scale);
            FloatVector v3 = scaled(loadAt(KIND, x, at + 3 * VECTOR_BYTES), scaled, scale);
            a0 = v0.fma(v0, a0);
            a1 = v1.fma(v1, a1);
            a2 = v2.fma(v2, a2);
            a3 = v3.fma(v3, a3);
        }
        for (long end = byteEnd(from, n, LANES); at < end; at += VECTOR_BYTES) {
            FloatVector v = scaled(loadAt(KIND, x, at), scaled, scale);
            a0 = v.fma(v, a0);
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD)
                + ScalarPenaltyKernels.sumSquaresRange(x, (int) (at / Float.BYTES), from + n, scale);
    }

    private static FloatVector scaled(FloatVector v, boolean scaled, float scale) {
        return scaled ? v.mul(scale) : v;
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
