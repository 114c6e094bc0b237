package dev.simdreg.internal.vector;

import dev.simdreg.internal.BatchNormKernels;
import dev.simdreg.internal.BlockSums;
import dev.simdreg.internal.ChannelAffine;
import dev.simdreg.internal.ChannelLayout;
import dev.simdreg.internal.ColumnWindows;
import dev.simdreg.internal.Chunks;
import dev.simdreg.internal.Floats;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.ScalarBatchNormKernels;
import dev.simdreg.internal.ShortRows;
import dev.simdreg.internal.SumOrder;
import dev.simdreg.internal.Workspace;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.Arrays;
import java.util.stream.IntStream;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.HALF_BYTES;
import static dev.simdreg.internal.vector.Species.FOLD_STRIDE_BYTES;
import static dev.simdreg.internal.vector.Species.SUM_PASSES;
import static dev.simdreg.internal.vector.Species.VECTOR_BYTES;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.ORDER;
import static dev.simdreg.internal.vector.FloatAccess.NATIVE;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.splat;
import static dev.simdreg.internal.vector.Species.total;

/**
 * Vector batch-norm kernels. Interleaved layouts are processed a column of LANES channels at a time, the lanes
 * being channels; planar layouts a channel run at a time. The moments read x from memory once, as shifted sums
 * in the order {@link BatchNormKernels} fixes (float within a block, float64 across blocks), so the sums are the
 * scalar kernels' bit for bit; large calls split over threads by channels or by blocks of rows
 * ({@link BlockSums}), which that order allows. Element-wise results equal the scalar kernels' bit for bit.
 */
final class VectorBatchNormKernels implements BatchNormKernels, ShortRows.WholePeriods, ColumnWindows.Loops {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());

    /** Floats in a group of four registers: rows of C dividing it run as one flat loop over groups. */
    private static final int GROUP = 4 * LANES;
    /**
     * Per-thread per-channel coefficients, each repeated through a group, in slots of a group each: center,
     * scale and shift for {@link #normalizeGroups}; those and dyScale, xScale and bias for
     * {@link #inputGradientGroups}.
     */
    private static final int SLOTS = 6;
    private static final ThreadLocal<float[]> GROUP_TABLE = ThreadLocal.withInitial(() -> new float[SLOTS * GROUP]);
    private static final int CENTER = 0;
    private static final int SCALE = 1;
    private static final int SHIFT = 2;
    private static final int DY_SCALE = 3;
    private static final int X_SCALE = 4;
    private static final int BIAS = 5;
    /** The addend of inference backward's {@code fma(dy', dyScale, 0)}. */
    private static final FloatVector ZERO = FloatVector.zero(FLOATS);
    /**
     * Offsets in the per-thread block scratch: shifts, four vectors, then first and second sums, six vectors each
     * (two blocks of a column of three, {@link #shiftedSumsOfThreeTwice}; five of {@link #shiftedSumsOfFive}).
     */
    private static final int SHIFTS = 0;
    private static final int SUMS = 4 * LANES;
    private static final int SQUARES = 10 * LANES;
    /** Float results of one block, handed from the vector loops to the float64 totals. */
    private static final ThreadLocal<float[]> BLOCK = ThreadLocal.withInitial(() -> new float[16 * LANES]);
    /**
     * C zeros, grown to the widest layer seen: the center and shift of {@link #scaledGradients}, and the
     * starting float sums of the long-row loops.
     */
    private static final ThreadLocal<float[]> ZERO_CHANNELS = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread coefficient tables of {@link #wrap}, room for six. */
    private static final ThreadLocal<float[]> WRAPPED =
            ThreadLocal.withInitial(() -> new float[6 * (AlignedColumns.LONG_ROW + LANES)]);
    /** Per-channel shifts of the moments, grown to the widest layer seen. */
    private static final ThreadLocal<float[]> CHANNEL_SHIFTS = ThreadLocal.withInitial(() -> new float[0]);

    @Override
    public void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.moments(layout, x, mean, m2, this);
            return;
        }
        if (layout.planar()) {
            planarMoments(layout, x, mean, m2);
            return;
        }
        interleavedMoments(layout, x, mean, m2);
    }

    /**
     * The moments of an interleaved layout, four vectors of channel columns at a time (a row's 256 bytes at
     * 512 bits), then single vectors, then scalar channels; each column is read once, down its rows (long
     * rows go through {@link ColumnWindows}, in memory order, with the same sums). With
     * K the mean of the column's first {@link #PILOT_ROWS} rows, {@code Σ (x − K)} and {@code Σ (x − K)²}
     * are summed in float over blocks of rows and in float64 across blocks, and give
     * {@code mean = K + S1/n}, {@code M2 = S2 − S1²/n}. Their relative error is that of the float sums
     * times {@code 1 + n·(mean − K)²/M2}; a channel where that factor exceeds {@link #SHIFT_TOLERANCE}
     * (only data whose first rows lie far out of the rest) is recomputed exactly in a second pass.
     */
    private void interleavedMoments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
        int channels = layout.channels();
        long rows = layout.outer();
        if (ShortRows.of(layout)) {
            ScalarBatchNormKernels.shortRowMoments(layout, x, mean, m2, this);
            return;
        }
        if (AlignedColumns.longRows(channels)) {
            ColumnWindows.moments(layout, x, mean, m2, this);
            return;
        }
        float[] shifts = channelShifts(channels);
        float[] block = BLOCK.get();
        for (int c0 = 0; c0 < channels; c0 = Math.min(c0 + 4 * LANES, channels)) {
            pilotMeans(x, Math.min(rows, PILOT_ROWS), channels, c0, block);
            for (int v = 0; v < 4; v++) {
                System.arraycopy(block, SHIFTS + v * LANES, shifts, columnStart(c0, v, channels), LANES);
            }
        }
        BlockSums.sum(rows, ROW_BLOCK, channels, Parallel.shared(x),
                (table, b0, b1) -> shiftedBlockSums(x, rows, channels, shifts, table, b0, b1), mean, m2);
        for (int c = 0; c < channels; c++) {
            ScalarBatchNormKernels.finishShiftedMoments(layout, x, c, shifts[c], mean, m2);
        }
    }

    /**
     * The float sums of row blocks {@code [b0, b1)} of rows of 16 to 255 channels into their places in the table
     * (see {@link BlockSums}): columns of four registers (see {@link #columnStart}), each down the blocks. A column
     * of one or two registers (the last of a row) takes four or two whole blocks at once, so that its loop still
     * has four independent chains a row instead of repeating a register: {@code [15420, 17]} at 512 bits summed
     * two registers four times a row, {@code [16384, 16]} and the last register of {@code [15420, 17]} at 128 bits
     * one register a chain of fma latencies down a block. A column of three (C = 17 to 24 at 256 bits, 33 to 48 at
     * 512) takes two blocks at once, six chains a row ({@link #shiftedSumsOfThreeTwice}); a last column of one
     * after a column of four is summed with it, five chains a row ({@link #shiftedSumsOfFive}).
     */
    private static void shiftedBlockSums(MemorySegment x, long rows, int channels, float[] shifts, float[] table,
                                         int b0, int b1) {
        float[] block = BLOCK.get();
        for (int c0 = 0; c0 < channels; c0 = Math.min(c0 + 4 * LANES, channels)) {
            int distinct = 1;
            while (distinct < 4 && columnStart(c0, distinct, channels) != columnStart(c0, distinct - 1, channels)) {
                distinct++;
            }
            int last = c0 + 4 * LANES;
            if (distinct == 4 && last < channels && channels - last <= LANES) {
                // the row's last register, a column of one after this one, summed in the same pass
                for (int b = b0; b < b1; b++) {
                    long r0 = (long) b * ROW_BLOCK;
                    shiftedSumsOfFive(x, r0, Math.min(rows, r0 + ROW_BLOCK), channels, shifts,
                            columnStart(c0, 0, channels), columnStart(c0, 1, channels), columnStart(c0, 2, channels),
                            columnStart(c0, 3, channels), columnStart(last, 0, channels), block);
                    toTable(block, 0, 4, 4, c0, channels, table, b);
                    toTable(block, 4, 1, 1, last, channels, table, b);
                }
                return;
            }
            int together = 4 % distinct == 0 ? 4 / distinct : 1;
            for (int v = 0; v < 4; v++) {
                System.arraycopy(shifts, columnStart(c0, v % distinct, channels), block, SHIFTS + v * LANES, LANES);
            }
            int b = b0;
            for (; distinct == 3 && b + 2 <= b1 && (long) (b + 2) * ROW_BLOCK <= rows; b += 2) {
                long r0 = (long) b * ROW_BLOCK;
                shiftedSumsOfThreeTwice(x, r0, r0 + ROW_BLOCK, channels, columnStart(c0, 0, channels),
                        columnStart(c0, 1, channels), columnStart(c0, 2, channels), block);
                toTable(block, 0, 6, distinct, c0, channels, table, b);
            }
            for (; b + together <= b1 && (long) (b + together) * ROW_BLOCK <= rows; b += together) {
                long r0 = (long) b * ROW_BLOCK;
                shiftedSumsOfFour(x, r0, r0 + ROW_BLOCK, channels, registerStart(c0, 0, distinct, together, channels),
                        registerStart(c0, 1, distinct, together, channels), registerStart(c0, 2, distinct, together,
                                channels), registerStart(c0, 3, distinct, together, channels), block);
                toTable(block, 0, 4, distinct, c0, channels, table, b);
            }
            for (; b < b1; b++) {
                long r0 = (long) b * ROW_BLOCK, end = Math.min(rows, r0 + ROW_BLOCK);
                if (distinct == 1) {
                    shiftedSumsOfOne(x, r0, end, channels, c0, block);
                } else {
                    shiftedSumsOfFour(x, r0, end, channels, registerStart(c0, 0, distinct, 1, channels),
                            registerStart(c0, 1, distinct, 1, channels), registerStart(c0, 2, distinct, 1, channels),
                            registerStart(c0, 3, distinct, 1, channels), block);
                }
                toTable(block, 0, distinct, distinct, c0, channels, table, b);
            }
        }
    }

    /**
     * Where register v of a column loop from c0 reads row 0 (see {@link #shiftedSumsOfFour}): the column's
     * register {@code v mod distinct} of the block {@code v / distinct} after the loop's own, of {@code together}
     * blocks; past those, a repeat of the first register, not kept.
     */
    private static long registerStart(int c0, int v, int distinct, int together, int channels) {
        long block = v < together * distinct ? v / distinct : 0;
        return columnStart(c0, v % distinct, channels) + block * ROW_BLOCK * channels;
    }

    /**
     * The sums of {@code registers} of block from register {@code from}, laid out as {@link #registerStart}'s, to
     * blocks from b.
     */
    private static void toTable(float[] block, int from, int registers, int distinct, int c0, int channels,
                                float[] table, int b) {
        for (int v = 0; v < registers; v++) {
            int blockOfRegister = b + v / distinct;
            int sums = BlockSums.first(blockOfRegister, channels), squares = BlockSums.second(blockOfRegister, channels);
            int start = columnStart(c0, v % distinct, channels);
            for (int j = firstNewLane(c0, v % distinct, channels); j < LANES; j++) {
                table[sums + start + j] = block[SUMS + (from + v) * LANES + j];
                table[squares + start + j] = block[SQUARES + (from + v) * LANES + j];
            }
        }
    }

    /**
     * The first channel of register v of the column of four from c0: {@code c0 + v·LANES}, or, past the last
     * channels of a row, the register that ends the row, whose lanes of channels already summed are ignored
     * ({@link #firstNewLane}). So every lane still adds its channel's values row after row, the order of
     * {@link BatchNormKernels}, and rows of any C from 16 take four chains of adds per row: a scalar loop
     * per channel past the last whole register, a chain of adds down the rows, took {@code [15420, 17]}
     * training forward to 0.62 ns per value against 0.14 for 16 channels (JMH).
     */
    private static int columnStart(int c0, int v, int channels) {
        return Math.min(c0 + v * LANES, channels - LANES);
    }

    /** The first lane of register v of the column from c0 whose channel no register before it summed. */
    private static int firstNewLane(int c0, int v, int channels) {
        int summed = v == 0 ? c0 : columnStart(c0, v - 1, channels) + LANES;
        return Math.min(LANES, summed - columnStart(c0, v, channels));
    }

    /**
     * Rows {@code [r0, end)} of columns {@code [first, first + columns)} of rows of rowLength floats, added into
     * the float sums of a table of sections {@code stride} apart: shifts, sums, squares (a window of
     * {@link ColumnWindows}). A method of its own, too large for C2 to inline: in one method with the pilot and
     * the finish, the compilation reached C2's node limit (NodeCountInliningCutoff), its loads stayed calls and
     * their vectors were boxed (about 15 KB a call of 4608 floats, measured).
     */
    private static void shiftedSumsOfRows(MemorySegment x, MemorySegment t, long stride, long r0, long end,
                                          long rowLength, long first, int columns) {
        long sums = stride, squares = 2 * stride;
        long r = r0;
        // Four rows at a time, each register's sums kept in it across them, in row order: the same sums with a
        // quarter of the table's loads and stores ([64, 4096] training forward 76 -> 64 µs, JMH).
        for (; r + 4 <= end; r += 4) {
            long row = r * rowLength + first;
            for (int c = 0; c < columns; c += LANES) {
                FloatVector k = NATIVE.load(t, c);
                FloatVector d0 = KIND.load(x, row + c).sub(k);
                FloatVector d1 = KIND.load(x, row + rowLength + c).sub(k);
                FloatVector d2 = KIND.load(x, row + 2 * rowLength + c).sub(k);
                FloatVector d3 = KIND.load(x, row + 3 * rowLength + c).sub(k);
                NATIVE.store(NATIVE.load(t, sums + c).add(d0).add(d1).add(d2).add(d3), t, sums + c);
                FloatVector q = d0.fma(d0, NATIVE.load(t, squares + c));
                NATIVE.store(d3.fma(d3, d2.fma(d2, d1.fma(d1, q))), t, squares + c);
            }
        }
        for (; r < end; r++) {
            long row = r * rowLength + first;
            for (int c = 0; c < columns; c += LANES) {
                FloatVector d = KIND.load(x, row + c).sub(NATIVE.load(t, c));
                NATIVE.store(NATIVE.load(t, sums + c).add(d), t, sums + c);
                NATIVE.store(d.fma(d, NATIVE.load(t, squares + c)), t, squares + c);
            }
        }
    }

    @Override
    public int addShifted(MemorySegment x, MemorySegment t, long stride, long r0, long end, long rowLength,
                          long first, int width) {
        shiftedSumsOfRows(x, t, stride, r0, end, rowLength, first, width & -LANES);
        return width & -LANES;
    }

    @Override
    public int addGradients(MemorySegment x, MemorySegment dy, MemorySegment t, long stride, long r0, long end,
                            long rowLength, long first, int width, boolean relu) {
        int columns = width & -LANES;
        long r = relu ? r0 : gradientSumsOfFourRows(x, dy, t, stride, r0, end, rowLength, first, columns);
        gradientSumsOfRows(x, dy, t, stride, r, end, rowLength, first, columns, relu);
        return columns;
    }

    @Override
    public int normalize(MemorySegment x, MemorySegment y, MemorySegment t, long stride, long rows, long rowLength,
                         long first, int width, boolean relu) {
        normalizeRows(x, y, t, stride, null, 0, 0, rows, rowLength, first, width & -LANES, relu);
        return width & -LANES;
    }

    @Override
    public int normalizeColumns(MemorySegment x, MemorySegment y, ChannelAffine a, int runs, long rows,
                                long rowLength, long first, int width) {
        // runs of a register, or of a power of two registers, go two rows at a time, their coefficients broadcast
        // once a channel or pair of registers (normalizeTwoRowsOfRegisterRuns); shorter runs and runs that are not a
        // power of two four rows at a time, each register's coefficients spread (through the table, with its
        // repeats, [8, 3584, 1, 9] training forward took 119 µs at 512 bits and 134 at 256, spread 81 and 100; JMH);
        // runs of one (rows, channels last) through the table: from the arrays four rows at a time, [64, 4096]
        // training forward at 512 bits took 91.0 -> 95.2 µs, [1024, 256] 60.6 -> 68.6 (JMH, an Intel machine)
        if (runs == 1) {
            return 0;
        }
        int length = Math.min(a.center().length, Math.min(a.scale().length, a.shift().length));
        int columns = fittingColumns(length, runs, first, width);
        if (columns > 0) { // not called for none, as columnSums
            normalizeRows(x, y, null, 0, a, runs, first, rows, rowLength, first, columns, a.relu());
        }
        return columns;
    }

    @Override
    public int scaleGradients(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t, long stride,
                              long rows, long rowLength, long first, int width, boolean relu) {
        scaledGradientRows(x, dy, dx, t, stride, rows, rowLength, first, width & -LANES, relu);
        return width & -LANES;
    }

    @Override
    public int inputGradient(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t, long stride,
                             long rows, long rowLength, long first, int width, boolean relu) {
        inputGradientRows(x, dy, dx, t, stride, rows, rowLength, first, width & -LANES, relu);
        return width & -LANES;
    }

    @Override
    public int columnSums(MemorySegment x, float[] shifts, int runs, long r0, long end, long rowLength, long first,
                          int width, float[] sums, int second) {
        int columns = fittingColumns(shifts.length, runs, first, width);
        if (columns > 0) { // called for none, C2 compiled the loop's calls as cold: see below
            shiftedSumsOfColumns(x, shifts, runs, r0, end, rowLength, first, columns, sums, second);
        }
        return columns;
    }

    /**
     * {@link #columnSums} of whole registers of columns, a method of its own, compiled on its own, as
     * {@link #shiftedSumsOfRows}. When every window of runs that are not a power of two called it with no columns
     * (as runs of a register or more at 128 bits still would), its loop's per-column calls were cold in the profile
     * C2 compiled it from, not inlined ("too big"), their registers boxed: after {@code [8, 512, 1, 49]},
     * {@code [8, 4096, 1, 8]} at 128 bits took 147-165 µs and 393 KB a call in one JVM of three or four (a JVM of
     * the harness, the compile log read).
     */
    private static void shiftedSumsOfColumns(MemorySegment x, float[] shifts, int runs, long r0, long end,
                                             long rowLength, long first, int columns, float[] sums, int second) {
        // eight registers of columns at a time, each a chain of adds down the rows: fewer waited on the adds (two
        // took 2 cycles a register at 128 bits), and each row is read 8 registers at a time ([8, 4096, 1, 8]
        // moments at 512 bits 44 -> 40 µs against four, harness). The last eight end with the columns, over some
        // already summed, whose sums they write again with the same bits: a register at a time, the rest of a
        // window of runs of 9 took a fifth of the column sums' time at 512 bits (perf)
        if (columns < 8 * LANES) {
            for (int j = 0; j < columns; j += LANES) {
                shiftedSumsOfColumn(x, shifts, runs, r0, end, rowLength, first, j, sums, second);
            }
            return;
        }
        for (int block = 0, last = columns - 8 * LANES; block < columns; block += 8 * LANES) {
            int j = Math.min(block, last);
            FloatVector k0 = perColumnAt(shifts, first + j, runs);
            FloatVector k1 = perColumnAt(shifts, first + j + LANES, runs);
            FloatVector k2 = perColumnAt(shifts, first + j + 2 * LANES, runs);
            FloatVector k3 = perColumnAt(shifts, first + j + 3 * LANES, runs);
            FloatVector k4 = perColumnAt(shifts, first + j + 4 * LANES, runs);
            FloatVector k5 = perColumnAt(shifts, first + j + 5 * LANES, runs);
            FloatVector k6 = perColumnAt(shifts, first + j + 6 * LANES, runs);
            FloatVector k7 = perColumnAt(shifts, first + j + 7 * LANES, runs);
            FloatVector s0 = FloatVector.zero(FLOATS), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            FloatVector q0 = s0, q1 = s0, q2 = s0, q3 = s0, q4 = s0, q5 = s0, q6 = s0, q7 = s0;
            long base = r0 * rowLength + first + j;
            for (int r = 0, rows = (int) (end - r0); r < rows; r++) { // counted: the loads' checks leave the loop
                long i = base + r * rowLength;
                FloatVector d0 = KIND.load(x, i).sub(k0);
                FloatVector d1 = KIND.load(x, i + LANES).sub(k1);
                FloatVector d2 = KIND.load(x, i + 2 * LANES).sub(k2);
                FloatVector d3 = KIND.load(x, i + 3 * LANES).sub(k3);
                FloatVector d4 = KIND.load(x, i + 4 * LANES).sub(k4);
                FloatVector d5 = KIND.load(x, i + 5 * LANES).sub(k5);
                FloatVector d6 = KIND.load(x, i + 6 * LANES).sub(k6);
                FloatVector d7 = KIND.load(x, i + 7 * LANES).sub(k7);
                s0 = s0.add(d0);
                q0 = d0.fma(d0, q0);
                s1 = s1.add(d1);
                q1 = d1.fma(d1, q1);
                s2 = s2.add(d2);
                q2 = d2.fma(d2, q2);
                s3 = s3.add(d3);
                q3 = d3.fma(d3, q3);
                s4 = s4.add(d4);
                q4 = d4.fma(d4, q4);
                s5 = s5.add(d5);
                q5 = d5.fma(d5, q5);
                s6 = s6.add(d6);
                q6 = d6.fma(d6, q6);
                s7 = s7.add(d7);
                q7 = d7.fma(d7, q7);
            }
            s0.intoArray(sums, j);
            s1.intoArray(sums, j + LANES);
            s2.intoArray(sums, j + 2 * LANES);
            s3.intoArray(sums, j + 3 * LANES);
            s4.intoArray(sums, j + 4 * LANES);
            s5.intoArray(sums, j + 5 * LANES);
            s6.intoArray(sums, j + 6 * LANES);
            s7.intoArray(sums, j + 7 * LANES);
            q0.intoArray(sums, second + j);
            q1.intoArray(sums, second + j + LANES);
            q2.intoArray(sums, second + j + 2 * LANES);
            q3.intoArray(sums, second + j + 3 * LANES);
            q4.intoArray(sums, second + j + 4 * LANES);
            q5.intoArray(sums, second + j + 5 * LANES);
            q6.intoArray(sums, second + j + 6 * LANES);
            q7.intoArray(sums, second + j + 7 * LANES);
        }
    }

    /**
     * {@link #shiftedSumsOfColumns} of the register of columns from {@code first + j}: a call of its own, so that
     * where C2 finds it cold it calls compiled code, not the caller's code with its vectors boxed.
     */
    private static void shiftedSumsOfColumn(MemorySegment x, float[] shifts, int runs, long r0, long end,
                                            long rowLength, long first, int j, float[] sums, int second) {
        FloatVector k = perColumnAt(shifts, first + j, runs);
        FloatVector s = FloatVector.zero(FLOATS), q = s;
        long base = r0 * rowLength + first + j;
        for (int r = 0, rows = (int) (end - r0); r < rows; r++) {
            FloatVector d = KIND.load(x, base + r * rowLength).sub(k);
            s = s.add(d);
            q = d.fma(d, q);
        }
        s.intoArray(sums, j);
        q.intoArray(sums, second + j);
    }

    /**
     * Doubles of the provider's width. Every vector here is of the provider's shape, floats or doubles: a second
     * float shape in the JVM (128-bit registers for the channel sums at 256 bits) made the receiver profiles of the
     * JDK's shared vector code bimorphic, and where C2 bound a loop's register sums through them it boxed them, a
     * box per register per row (AllocationTest at 256 bits, planar training forward on native and byte[]-backed
     * segments, 4-64 KB a call: two clean-clone CIs of nine, every run under -XX:CompileThresholdScaling=0.6; see
     * docs/performance.md, "Application conditions").
     */
    private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, FLOATS.vectorShape());

    /**
     * {@link ColumnWindows.Loops#centerShiftedMoments} two registers of channels at a time from 256 bits (a
     * register of floats), the rest by the scalar loop: lane-wise, the same arithmetic. C2 left the scalar loop's
     * division a channel at a time: 4096 channels alone 6.0 µs at 512 bits against 2.2 (7.7 of
     * {@code [8, 4096, 1, 8]} training forward, perf).
     */
    @Override
    public int centerShiftedMoments(double count, int from, int to, float[] shifts, double[] mean, double[] m2,
                                    double[] products) {
        int c = from;
        int failing = 0;
        if (LANES >= 8) {
            for (; c + LANES <= to; c += LANES) {
                failing += centerShiftedRegister(count, shifts, c, 0, from, mean, m2, products)
                        + centerShiftedRegister(count, shifts, c, 1, from, mean, m2, products);
            }
        }
        return failing + ScalarBatchNormKernels.centerShiftedMoments(count, from, c, to, shifts, mean, m2, products);
    }

    /**
     * {@link #centerShiftedMoments} of the given half of the register of channels from c0: the number of them failing
     * the shift's tolerance. It passes no register, so that where C2 does not inline it none is boxed.
     */
    private static int centerShiftedRegister(double count, float[] shifts, int c0, int half, int from, double[] mean,
                                             double[] m2, double[] products) {
        int c = c0 + half * DOUBLES.length();
        DoubleVector counts = DoubleVector.broadcast(DOUBLES, count);
        DoubleVector sum = DoubleVector.fromArray(DOUBLES, mean, c);
        DoubleVector shiftedMean = sum.div(counts);
        DoubleVector product = sum.mul(shiftedMean);
        DoubleVector centered = DoubleVector.fromArray(DOUBLES, m2, c).sub(product);
        product.intoArray(products, c - from);
        centered.intoArray(m2, c);
        shiftedMean.add(FloatVector.fromArray(FLOATS, shifts, c0).convertShape(VectorOperators.F2D, DOUBLES, half))
                .intoArray(mean, c);
        return product.compare(VectorOperators.GT, centered.mul(BatchNormKernels.SHIFT_TOLERANCE))
                .or(centered.compare(VectorOperators.LT, 0)).trueCount();
    }

    /** A channel's four partials: the first four lanes of a register. */
    private static final VectorMask<Float> FOUR = FLOATS.indexInRange(0, 4);
    /** Channels a step of {@link #channelSums} takes: the partials of two registers, a register of doubles. */
    private static final int CHANNEL_STEP = LANES / 2;
    /** Lanes 0, 2, 4, … and 1, 3, 5, … of two registers side by side, for {@code selectFrom}. */
    private static final FloatVector EVENS = FloatVector.zero(FLOATS).addIndex(2);
    private static final FloatVector ODDS = EVENS.add(1);

    /**
     * {@link ColumnWindows.Loops#addToChannels}: each channel's four partials, its groups of four columns added in
     * column order from zero, a last group of fewer by a masked add ({@link #partials}); then half a register of
     * channels at a time, two registers of their partials taken apart by even and odd lanes twice, so that
     * {@code (p0 + p1) + (p2 + p3)} of each are lane-wise adds, and their block sums added to the totals in
     * float64. A channel at a time, scalar, in float64 as the order was before, took 17-20 µs of 4096 channels of 8
     * runs at 128 bits (a toy of the loop, perf).
     */
    @Override
    public int addToChannels(float[] blockSums, int second, int runs, int channel, int channels, double[] sums,
                             double[] secondSums) {
        if (runs < 4) {
            return 0;
        }
        int done = channels & -Math.max(4, CHANNEL_STEP);
        channelSums(blockSums, 0, runs, channel, done, sums);
        channelSums(blockSums, second, runs, channel, done, secondSums);
        return done;
    }

    /** {@link #addToChannels} of one of the two sums, its columns' float sums from {@code blockSums[from]}. */
    private static void channelSums(float[] blockSums, int from, int runs, int channel, int channels,
                                    double[] sums) {
        if (runs == 8) {
            partialsOfEights(blockSums, from, channels);
        } else {
            partials(blockSums, from, runs, channels);
        }
        for (int k = 0; k < channels; k += CHANNEL_STEP) {
            int j = from + 4 * k;
            FloatVector low = FloatVector.fromArray(FLOATS, blockSums, j);
            FloatVector high = FloatVector.fromArray(FLOATS, blockSums, j + LANES);
            FloatVector pairs = EVENS.selectFrom(low, high).add(ODDS.selectFrom(low, high)); // a01 a23 b01 b23 …
            FloatVector blocks = EVENS.selectFrom(pairs, pairs).add(ODDS.selectFrom(pairs, pairs));
            int at = channel + k;
            DoubleVector.fromArray(DOUBLES, sums, at)
                    .add(blocks.convertShape(VectorOperators.F2D, DOUBLES, 0)).intoArray(sums, at);
        }
    }

    /**
     * Each channel's four partials from its columns' float sums, written over the sums from
     * {@code blockSums[from]}, channel k's at {@code 4k}: at or before its own columns and those of the channels
     * after it, which are read before they are written over; channels a multiple of four. Each partial is a lane of
     * the register's first four: its other lanes sum the columns after it, never stored (the array has room for a
     * register past its last column), so that every register here is of one shape. Masked loads of the four took
     * {@code [8, 512, 1, 49]} training forward at 512 bits to 53 µs against 47 (perf runs; 43 with 128-bit
     * registers, whose loads split fewer cache lines).
     */
    private static void partials(float[] blockSums, int from, int runs, int channels) {
        int whole = runs & -4;
        VectorMask<Float> last = FLOATS.indexInRange(0, runs - whole);
        for (int k = 0; k < channels; k += 4) { // four channels at a time: a loop over groups a channel cost more
            int j = from + k * runs;
            FloatVector a = FloatVector.zero(FLOATS), b = a, c = a, d = a;
            for (int g = 0; g < whole; g += 4) {
                a = a.add(FloatVector.fromArray(FLOATS, blockSums, j + g));
                b = b.add(FloatVector.fromArray(FLOATS, blockSums, j + runs + g));
                c = c.add(FloatVector.fromArray(FLOATS, blockSums, j + 2 * runs + g));
                d = d.add(FloatVector.fromArray(FLOATS, blockSums, j + 3 * runs + g));
            }
            // the last columns, fewer than four, to the first partials, the others left as they are
            int at = from + 4 * k;
            a.add(FloatVector.fromArray(FLOATS, blockSums, j + whole), last).intoArray(blockSums, at, FOUR);
            b.add(FloatVector.fromArray(FLOATS, blockSums, j + runs + whole), last).intoArray(blockSums, at + 4, FOUR);
            c.add(FloatVector.fromArray(FLOATS, blockSums, j + 2 * runs + whole), last)
                    .intoArray(blockSums, at + 8, FOUR);
            d.add(FloatVector.fromArray(FLOATS, blockSums, j + 3 * runs + whole), last)
                    .intoArray(blockSums, at + 12, FOUR);
        }
    }

    /**
     * {@link #partials} of runs of 8, without a loop over a channel's two groups: with it, {@code [8, 4096, 1, 8]}
     * training forward took 105 µs at 128 bits and 72 at 512, without it 98 and 66 (harness, three JVMs each).
     */
    private static void partialsOfEights(float[] blockSums, int from, int channels) {
        for (int k = 0; k < channels; k++) {
            int j = from + 8 * k;
            FloatVector.zero(FLOATS).add(FloatVector.fromArray(FLOATS, blockSums, j))
                    .add(FloatVector.fromArray(FLOATS, blockSums, j + 4)).intoArray(blockSums, from + 4 * k, FOUR);
        }
    }

    /**
     * Of the width columns from first (a channel's first column), the whole registers, and whole runs of a power of
     * two, whose values {@link #perColumnAt} reads within arrays of the given length; none at 128 bits for runs of a
     * register or more that are not a power of two, which the table takes faster ({@code [8, 3584, 1, 9]} training
     * forward 149 µs through it, 168 spread; {@code [8, 512, 1, 49]} 84 and 114; JMH).
     */
    private static int fittingColumns(int length, int runs, long first, int width) {
        if (Integer.bitCount(runs) != 1) { // each register on its own
            return runs < LANES || LANES >= 8 ? spreadColumns(length, runs, first, width) : 0;
        }
        if (first % runs != 0) {
            return 0;
        }
        return spreadColumns(length, runs, first, width) & -Math.max(runs, LANES); // whole runs for the loops
    }

    /**
     * Of the width columns from first (a channel's first column), the whole registers whose register of channels,
     * loaded from each register's first column's channel, lies within arrays of the given length.
     */
    private static int spreadColumns(int length, int runs, long first, int width) {
        int columns = width & -LANES;
        long last = (long) (length - LANES) * runs - first; // the last register whose load stays in the arrays
        return last < 0 ? 0 : (int) Math.min(columns, (last / LANES + 1) * LANES);
    }

    /**
     * The register of per-column values of a register of columns of runs of a power of two whose first column's
     * channel is {@code channel}: the register of channels from it, spread by {@link #spread} (a broadcast of its
     * first for runs of a register or more). Under MaxInlineSize's 35 bytes of bytecode, so that C2 inlines it
     * where it finds the caller's loop cold: a loop compiled on stack replacement before its calls were profiled
     * (after planes of 49, {@code [32, 4096, 1, 8]} at 256 bits) did not inline the 58 bytes that chose a broadcast
     * or a spread ("too big", NodeCountInliningCutoff), boxed their registers and took training forward from 214 to
     * 620-680 µs (harness, compile log).
     */
    private static FloatVector perColumn(float[] perChannel, int channel, VectorShuffle<Float> spread) {
        return FloatVector.fromArray(FLOATS, perChannel, channel).rearrange(spread);
    }

    /**
     * The register of per-column values of the register of columns from {@code column}: {@link #perColumn} of its
     * first column's channel and spread (each register starting a run for runs of a power of two shorter than a
     * register). Under MaxInlineSize, as perColumn; its scalar helpers pass no register.
     */
    private static FloatVector perColumnAt(float[] perChannel, long column, int runs) {
        int channel = columnChannel(column, runs);
        return perColumn(perChannel, channel, columnSpread(column, channel, runs));
    }

    /** The channel of column {@code column}. */
    private static int columnChannel(long column, int runs) {
        return Integer.bitCount(runs) == 1 ? (int) (column >>> Integer.numberOfTrailingZeros(runs))
                : spreadChannel(column, runs);
    }

    /**
     * The shuffle that spreads the register of channels from channel, column's, over the register of columns from
     * it: {@link #spread} for runs of a power of two, else by column's place in its run ({@link #PLACE_SPREADS}, or
     * {@link #RUN_ENDS} where a register holds the end of one run at most).
     */
    private static VectorShuffle<Float> columnSpread(long column, int channel, int runs) {
        if (Integer.bitCount(runs) == 1) {
            return spread(runs);
        }
        int place = (int) (column - (long) channel * runs);
        return runs < LANES ? PLACE_SPREADS[runs * LANES + place] : RUN_ENDS[Math.min(runs - place, LANES)];
    }

    /**
     * The first channel of the register of per-column values from column {@code column}, for runs that are not a
     * power of two: lane l takes channel {@code (s + l) / runs} of the register of channels from it, s the column's
     * place in its run, by {@link #PLACE_SPREADS}. The quotient by a product, not a division (a build that spread
     * planes of 49 so for its column sums and normalize took {@code [8, 512, 1, 49]} training forward at 128 bits
     * to 128-132 µs with a division a register, 110-121 with the product): {@code (column + 1/2) / runs} is at
     * least {@code 1/(2 runs)} from an integer, the product within 2^-21 of it (columns below 2^31).
     */
    private static int spreadChannel(long column, int runs) {
        return (int) ((column + 0.5) * (1.0 / runs));
    }

    /**
     * For runs shorter than a register, at {@code runs · LANES + s}: the shuffle whose lane l takes channel
     * {@code (s + l) / runs} of a register of channels, s the place in its run of the register's first column.
     */
    private static final VectorShuffle<Float>[] PLACE_SPREADS = placeSpreads();

    /** At k: the shuffle whose lanes from k take the register of channels' second, the others its first. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] RUN_ENDS = IntStream.rangeClosed(0, LANES)
            .mapToObj(k -> VectorShuffle.fromOp(FLOATS, l -> l < k ? 0 : 1)).toArray(VectorShuffle[]::new);

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] placeSpreads() {
        VectorShuffle<Float>[] spreads = new VectorShuffle[LANES * LANES];
        for (int runs = 1; runs < LANES; runs++) {
            for (int s = 0; s < runs; s++) {
                int place = s, length = runs;
                spreads[runs * LANES + s] = VectorShuffle.fromOp(FLOATS, l -> (place + l) / length);
            }
        }
        return spreads;
    }

    /**
     * The shuffle that spreads a register of channels over runs of a power of two lanes each, lane l taking channel
     * {@code l / runs}: every lane the first for runs of a register or more.
     */
    private static VectorShuffle<Float> spread(int runs) {
        return SPREADS[Math.min(Integer.numberOfTrailingZeros(runs), SPREADS.length - 1)];
    }

    /**
     * Lane i of a register of channels to lane i / runs, at k for runs of 2^k: runs of 1, 2, 4, 8 and of 16 or more
     * (every lane the first, at any width). An array, so that {@link #spread} stays under MaxInlineSize (as a
     * switch, 79 bytes). Apart from {@link #PLACE_SPREADS}, whose place-0 entries hold the same shuffles: looked up
     * there, {@code [32, 4096, 1, 8]} training forward at 256 bits boxed again after planes of 49 and 9 in two JVMs
     * of three (399 µs and 47 collections against 216 and 9; harness).
     */
    private static final VectorShuffle<Float>[] SPREADS = spreads();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] spreads() {
        VectorShuffle<Float>[] spreads = new VectorShuffle[5];
        for (int k = 0; k < spreads.length; k++) {
            int log = k;
            spreads[k] = VectorShuffle.fromOp(FLOATS, i -> i >> log);
        }
        return spreads;
    }

    /**
     * {@link ColumnWindows.Loops#repeat}: runs of a power of two as {@link #perColumn} reads them, register after
     * register; other runs of a register or more a broadcast each, stored register after register and the last
     * register ending with the run (so any run length is whole registers); other runs shorter than a register
     * spread register after register ({@link #spreadChannel}).
     */
    @Override
    public int repeat(float[] perChannel, int runs, int channel, int width, MemorySegment t, long at) {
        // Stored by the JDK's intoMemorySegment, force-inlined at any site, t's class made known to C2 first; not
        // through NATIVE.store: a loop C2 finds cold (the runs shorter than a register: 42 registers over 1986
        // calls in one compile, -XX:+LogCompilation) inlines no callee already compiled on its own into more than
        // InlineSmallCode / 4 bytes (NATIVE.store: 776), and each register was passed boxed (74 KB a call of
        // [3, 171, 8] training backward at 512 bits, AllocationTest, two clean-clone CIs of seven)
        if (((Object) t).getClass() != Species.NATIVE) {
            throw new IllegalStateException("a table not from an arena: " + t);
        }
        int j = 0;
        if (Integer.bitCount(runs) == 1) {
            // one counted loop over registers, each a broadcast or a register of channels spread: a loop per
            // channel of two registers took 25 µs a call of [8, 4096, 1, 8] inference at 128 bits (against about 3)
            long first = (long) channel * runs;
            int shift = Integer.numberOfTrailingZeros(runs);
            if (runs >= 2 * LANES) {
                // two registers a broadcast: [8, 4096, 1, 8] at 128 bits training forward 121-124 µs against
                // 126-127 a register a broadcast, inference 50 against 54-56 (harness, three JVMs each)
                for (int end = width & -runs; j < end; j += 2 * LANES) {
                    FloatVector value = FloatVector.broadcast(FLOATS, perChannel[(int) ((first + j) >>> shift)]);
                    value.intoMemorySegment(t, (at + j) * Float.BYTES, ORDER);
                    value.intoMemorySegment(t, (at + j + LANES) * Float.BYTES, ORDER);
                }
            } else if (runs == LANES) {
                for (int end = width & -runs; j < end; j += LANES) {
                    FloatVector.broadcast(FLOATS, perChannel[(int) ((first + j) >>> shift)])
                            .intoMemorySegment(t, (at + j) * Float.BYTES, ORDER);
                }
            } else if (runs > 1) {
                VectorShuffle<Float> spread = spread(runs);
                for (int end = fittingColumns(perChannel.length, runs, first, width); j < end; j += LANES) {
                    FloatVector.fromArray(FLOATS, perChannel, (int) ((first + j) >>> shift)).rearrange(spread)
                            .intoMemorySegment(t, (at + j) * Float.BYTES, ORDER);
                }
            }
        } else if (runs >= LANES) {
            for (int c = channel; j + runs <= width; j += runs, c++) {
                FloatVector value = FloatVector.broadcast(FLOATS, perChannel[c]);
                for (int k = 0; k < runs - LANES; k += LANES) {
                    value.intoMemorySegment(t, (at + j + k) * Float.BYTES, ORDER);
                }
                value.intoMemorySegment(t, (at + j + runs - LANES) * Float.BYTES, ORDER);
            }
        } else {
            // shorter runs: a register of channels from each register's first column's channel, lane l taking
            // channel (s + l) / runs of it, s the column's place in its run (runs of 9 a value at a time took 48%
            // of [8, 3584, 1, 9] training forward at 512 bits, perf)
            long first = (long) channel * runs;
            for (int end = spreadColumns(perChannel.length, runs, first, width); j < end; j += LANES) {
                // perColumnAt written out, for the reason above: compiled on its own into about 1000 bytes, it was
                // not inlined here and each register came back boxed ([3, 456, 3] training and inference backward
                // at 512 bits, 57-74 KB a call, AllocationTest under -XX:CompileThresholdScaling=0.5)
                int c = columnChannel(first + j, runs);
                FloatVector.fromArray(FLOATS, perChannel, c).rearrange(columnSpread(first + j, c, runs))
                        .intoMemorySegment(t, (at + j) * Float.BYTES, ORDER);
            }
            j = j / runs * runs;
        }
        return j;
    }

    /**
     * {@link ShortRows.WholePeriods#addShifted}: a period's registers of data each add into the register of
     * partials at the same place in the table.
     */
    @Override
    public long addShifted(MemorySegment x, long from, long to, int channels, float[] t) {
        int period = ShortRows.period(channels);
        long end = to - (to - from) % ShortRows.partialsPerChannel(channels);
        if (period == LANES) {
            shiftedPeriodsOfOne(x, from * channels, end * channels, t);
            return end;
        }
        if (period <= 4 * LANES) {
            shiftedPeriodsInRegisters(x, from * channels, end * channels, t, period / LANES);
            return end;
        }
        if (period == 5 * LANES) {
            shiftedPeriodsOfFive(x, from * channels, end * channels, t);
            return end;
        }
        if (period == 6 * LANES) {
            shiftedPeriodsOfSix(x, from * channels, end * channels, t);
            return end;
        }
        // Longer periods: the partials in the table, each a period of data apart, four periods at a time, then the
        // last (fewer than four) in one flat loop
        long i = from * channels, stop = end * channels;
        for (; i + 4L * period <= stop; i += 4L * period) {
            shiftedFourPeriods(x, i, t, period);
        }
        shiftedLastPeriods(x, i, stop, t, period);
        return end;
    }

    /**
     * {@link #addShifted} of the last periods (fewer than four) from element i to stop, a register at a time. A
     * method of its own, so that C2 weighs its loads against its own calls: in {@code addShifted}, where few calls
     * reach it, C2 found the load cold and left it a call, its register boxed (-XX:+LogCompilation, every JVM of
     * six of the test suite at 512 bits).
     */
    private static void shiftedLastPeriods(MemorySegment x, long i, long stop, float[] t, int period) {
        int sums = ShortRows.SUMS * period;
        int squares = ShortRows.SQUARES * period;
        for (int j = 0; i < stop; i += LANES) {
            FloatVector d = KIND.load(x, i).sub(FloatVector.fromArray(FLOATS, t, j));
            FloatVector.fromArray(FLOATS, t, sums + j).add(d).intoArray(t, sums + j);
            d.fma(d, FloatVector.fromArray(FLOATS, t, squares + j)).intoArray(t, squares + j);
            j += LANES;
            j = j == period ? 0 : j;
        }
    }

    /**
     * {@link #addShifted} of the four periods from element i, a period of more than six registers: each register of
     * partials loaded and stored once for the four, its four terms added in period order as the flat loop adds
     * them. A load and a store of each partial for each period made {@code [N, 3]} and {@code [N, 12]} at 128 bits
     * (periods of twelve registers) twice as slow as C = 8 (harness).
     */
    private static void shiftedFourPeriods(MemorySegment x, long i, float[] t, int period) {
        int sums = ShortRows.SUMS * period;
        int squares = ShortRows.SQUARES * period;
        for (int j = 0; j < period; j += LANES) {
            FloatVector k = FloatVector.fromArray(FLOATS, t, j);
            FloatVector d0 = KIND.load(x, i + j).sub(k);
            FloatVector d1 = KIND.load(x, i + period + j).sub(k);
            FloatVector d2 = KIND.load(x, i + 2 * period + j).sub(k);
            FloatVector d3 = KIND.load(x, i + 3 * period + j).sub(k);
            FloatVector.fromArray(FLOATS, t, sums + j).add(d0).add(d1).add(d2).add(d3).intoArray(t, sums + j);
            FloatVector q = d0.fma(d0, FloatVector.fromArray(FLOATS, t, squares + j));
            d3.fma(d3, d2.fma(d2, d1.fma(d1, q))).intoArray(t, squares + j);
        }
    }

    /** {@link #addShifted} of elements {@code [from, to)} for a period of one register, the partials held in it. */
    private static void shiftedPeriodsOfOne(MemorySegment x, long from, long to, float[] t) {
        int period = LANES;
        FloatVector k = FloatVector.fromArray(FLOATS, t, 0);
        FloatVector s = FloatVector.fromArray(FLOATS, t, ShortRows.SUMS * period);
        FloatVector q = FloatVector.fromArray(FLOATS, t, ShortRows.SQUARES * period);
        for (long i = from; i < to; i += LANES) {
            FloatVector d = KIND.load(x, i).sub(k);
            s = s.add(d);
            q = d.fma(d, q);
        }
        s.intoArray(t, ShortRows.SUMS * period);
        q.intoArray(t, ShortRows.SQUARES * period);
    }

    /**
     * {@link #addShifted} of elements {@code [from, to)} for a period of five registers, the partials held in them;
     * a method apart from {@link #shiftedPeriodsInRegisters} and from {@link #shiftedPeriodsOfSix}: with the sixth
     * register taken or not by a condition, C2 at times left the vectors boxed on segments over byte[] (8.3 KB a
     * call of {@code [2056, 3]} at 256 bits in AllocationTest's JVM). Through the table, NHWC C = 3 at 256 bits took
     * 43-66 µs from one compilation to another, in registers 28; {@code [52428, 5]} at 512 bits 68 and 30 (harness).
     */
    private static void shiftedPeriodsOfFive(MemorySegment x, long from, long to, float[] t) {
        int period = 5 * LANES;
        int sums = ShortRows.SUMS * period;
        int squares = ShortRows.SQUARES * period;
        FloatVector k0 = FloatVector.fromArray(FLOATS, t, 0);
        FloatVector k1 = FloatVector.fromArray(FLOATS, t, LANES);
        FloatVector k2 = FloatVector.fromArray(FLOATS, t, 2 * LANES);
        FloatVector k3 = FloatVector.fromArray(FLOATS, t, 3 * LANES);
        FloatVector k4 = FloatVector.fromArray(FLOATS, t, 4 * LANES);
        FloatVector s0 = FloatVector.fromArray(FLOATS, t, sums);
        FloatVector s1 = FloatVector.fromArray(FLOATS, t, sums + LANES);
        FloatVector s2 = FloatVector.fromArray(FLOATS, t, sums + 2 * LANES);
        FloatVector s3 = FloatVector.fromArray(FLOATS, t, sums + 3 * LANES);
        FloatVector s4 = FloatVector.fromArray(FLOATS, t, sums + 4 * LANES);
        FloatVector q0 = FloatVector.fromArray(FLOATS, t, squares);
        FloatVector q1 = FloatVector.fromArray(FLOATS, t, squares + LANES);
        FloatVector q2 = FloatVector.fromArray(FLOATS, t, squares + 2 * LANES);
        FloatVector q3 = FloatVector.fromArray(FLOATS, t, squares + 3 * LANES);
        FloatVector q4 = FloatVector.fromArray(FLOATS, t, squares + 4 * LANES);
        for (long i = from; i < to; i += period) {
            FloatVector d0 = KIND.load(x, i).sub(k0);
            FloatVector d1 = KIND.load(x, i + LANES).sub(k1);
            FloatVector d2 = KIND.load(x, i + 2 * LANES).sub(k2);
            FloatVector d3 = KIND.load(x, i + 3 * LANES).sub(k3);
            FloatVector d4 = KIND.load(x, i + 4 * LANES).sub(k4);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            s2 = s2.add(d2);
            s3 = s3.add(d3);
            s4 = s4.add(d4);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
            q2 = d2.fma(d2, q2);
            q3 = d3.fma(d3, q3);
            q4 = d4.fma(d4, q4);
        }
        s0.intoArray(t, sums);
        s1.intoArray(t, sums + LANES);
        s2.intoArray(t, sums + 2 * LANES);
        s3.intoArray(t, sums + 3 * LANES);
        s4.intoArray(t, sums + 4 * LANES);
        q0.intoArray(t, squares);
        q1.intoArray(t, squares + LANES);
        q2.intoArray(t, squares + 2 * LANES);
        q3.intoArray(t, squares + 3 * LANES);
        q4.intoArray(t, squares + 4 * LANES);
    }

    /** {@link #shiftedPeriodsOfFive} for a period of six registers. */
    private static void shiftedPeriodsOfSix(MemorySegment x, long from, long to, float[] t) {
        int period = 6 * LANES;
        int sums = ShortRows.SUMS * period;
        int squares = ShortRows.SQUARES * period;
        FloatVector k0 = FloatVector.fromArray(FLOATS, t, 0);
        FloatVector k1 = FloatVector.fromArray(FLOATS, t, LANES);
        FloatVector k2 = FloatVector.fromArray(FLOATS, t, 2 * LANES);
        FloatVector k3 = FloatVector.fromArray(FLOATS, t, 3 * LANES);
        FloatVector k4 = FloatVector.fromArray(FLOATS, t, 4 * LANES);
        FloatVector k5 = FloatVector.fromArray(FLOATS, t, 5 * LANES);
        FloatVector s0 = FloatVector.fromArray(FLOATS, t, sums);
        FloatVector s1 = FloatVector.fromArray(FLOATS, t, sums + LANES);
        FloatVector s2 = FloatVector.fromArray(FLOATS, t, sums + 2 * LANES);
        FloatVector s3 = FloatVector.fromArray(FLOATS, t, sums + 3 * LANES);
        FloatVector s4 = FloatVector.fromArray(FLOATS, t, sums + 4 * LANES);
        FloatVector s5 = FloatVector.fromArray(FLOATS, t, sums + 5 * LANES);
        FloatVector q0 = FloatVector.fromArray(FLOATS, t, squares);
        FloatVector q1 = FloatVector.fromArray(FLOATS, t, squares + LANES);
        FloatVector q2 = FloatVector.fromArray(FLOATS, t, squares + 2 * LANES);
        FloatVector q3 = FloatVector.fromArray(FLOATS, t, squares + 3 * LANES);
        FloatVector q4 = FloatVector.fromArray(FLOATS, t, squares + 4 * LANES);
        FloatVector q5 = FloatVector.fromArray(FLOATS, t, squares + 5 * LANES);
        for (long i = from; i < to; i += period) {
            FloatVector d0 = KIND.load(x, i).sub(k0);
            FloatVector d1 = KIND.load(x, i + LANES).sub(k1);
            FloatVector d2 = KIND.load(x, i + 2 * LANES).sub(k2);
            FloatVector d3 = KIND.load(x, i + 3 * LANES).sub(k3);
            FloatVector d4 = KIND.load(x, i + 4 * LANES).sub(k4);
            FloatVector d5 = KIND.load(x, i + 5 * LANES).sub(k5);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            s2 = s2.add(d2);
            s3 = s3.add(d3);
            s4 = s4.add(d4);
            s5 = s5.add(d5);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
            q2 = d2.fma(d2, q2);
            q3 = d3.fma(d3, q3);
            q4 = d4.fma(d4, q4);
            q5 = d5.fma(d5, q5);
        }
        s0.intoArray(t, sums);
        s1.intoArray(t, sums + LANES);
        s2.intoArray(t, sums + 2 * LANES);
        s3.intoArray(t, sums + 3 * LANES);
        s4.intoArray(t, sums + 4 * LANES);
        s5.intoArray(t, sums + 5 * LANES);
        q0.intoArray(t, squares);
        q1.intoArray(t, squares + LANES);
        q2.intoArray(t, squares + 2 * LANES);
        q3.intoArray(t, squares + 3 * LANES);
        q4.intoArray(t, squares + 4 * LANES);
        q5.intoArray(t, squares + 5 * LANES);
    }

    /**
     * {@link #addShifted} of elements {@code [from, to)} for a period of two to four registers, the partials held in
     * them (the conditions are the loop's invariants, which C2 takes out of it). In the table's loop C = 1, 2, 4, 8
     * took twice the time of C = 16 at 128 and 256 bits (harness).
     */
    private static void shiftedPeriodsInRegisters(MemorySegment x, long from, long to, float[] t, int registers) {
        int period = registers * LANES;
        int sums = ShortRows.SUMS * period;
        int squares = ShortRows.SQUARES * period;
        boolean three = registers > 2;
        boolean four = registers > 3;
        FloatVector k0 = FloatVector.fromArray(FLOATS, t, 0);
        FloatVector k1 = FloatVector.fromArray(FLOATS, t, LANES);
        FloatVector k2 = three ? FloatVector.fromArray(FLOATS, t, 2 * LANES) : ZERO;
        FloatVector k3 = four ? FloatVector.fromArray(FLOATS, t, 3 * LANES) : ZERO;
        FloatVector s0 = FloatVector.fromArray(FLOATS, t, sums);
        FloatVector s1 = FloatVector.fromArray(FLOATS, t, sums + LANES);
        FloatVector s2 = three ? FloatVector.fromArray(FLOATS, t, sums + 2 * LANES) : ZERO;
        FloatVector s3 = four ? FloatVector.fromArray(FLOATS, t, sums + 3 * LANES) : ZERO;
        FloatVector q0 = FloatVector.fromArray(FLOATS, t, squares);
        FloatVector q1 = FloatVector.fromArray(FLOATS, t, squares + LANES);
        FloatVector q2 = three ? FloatVector.fromArray(FLOATS, t, squares + 2 * LANES) : ZERO;
        FloatVector q3 = four ? FloatVector.fromArray(FLOATS, t, squares + 3 * LANES) : ZERO;
        for (long i = from; i < to; i += period) {
            FloatVector d0 = KIND.load(x, i).sub(k0);
            FloatVector d1 = KIND.load(x, i + LANES).sub(k1);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
            if (three) {
                FloatVector d2 = KIND.load(x, i + 2 * LANES).sub(k2);
                s2 = s2.add(d2);
                q2 = d2.fma(d2, q2);
            }
            if (four) {
                FloatVector d3 = KIND.load(x, i + 3 * LANES).sub(k3);
                s3 = s3.add(d3);
                q3 = d3.fma(d3, q3);
            }
        }
        s0.intoArray(t, sums);
        s1.intoArray(t, sums + LANES);
        q0.intoArray(t, squares);
        q1.intoArray(t, squares + LANES);
        if (three) {
            s2.intoArray(t, sums + 2 * LANES);
            q2.intoArray(t, squares + 2 * LANES);
        }
        if (four) {
            s3.intoArray(t, sums + 3 * LANES);
            q3.intoArray(t, squares + 3 * LANES);
        }
    }

    /** {@link ShortRows.WholePeriods#addGradients}, as {@link #addShifted}. */
    @Override
    public long addGradients(MemorySegment x, MemorySegment dy, long from, long to, int channels, float[] t,
                             boolean relu, MemorySegment dx) {
        int period = ShortRows.period(channels);
        long end = to - (to - from) % ShortRows.partialsPerChannel(channels);
        if (period == LANES) {
            gradientPeriodsOfOne(x, dy, from * channels, end * channels, t, relu, dx);
        } else if (dx == null) {
            gradientPeriods(x, dy, from * channels, end * channels, period, t, relu);
        } else {
            gradientPeriodsWritingDx(x, dy, from * channels, end * channels, period, t, relu, dx);
        }
        return end;
    }

    /**
     * {@link #addGradients} of elements {@code [from, to)} for longer periods, the partials in the table, in one
     * flat loop (see {@link #addShifted}). Apart from the loop that writes dx: with the store under a condition in
     * one loop, C2 at times left a vector boxed a register ({@code [2056, 3]} inference backward at 512 bits on
     * segments over byte[], 37 KB a call in AllocationTest).
     */
    private static void gradientPeriods(MemorySegment x, MemorySegment dy, long from, long to, int period, float[] t,
                                        boolean relu) {
        int scales = ShortRows.SCALE * period, shifts = ShortRows.SHIFT * period;
        int sums = ShortRows.DY_SUMS * period, centeredSums = ShortRows.CENTERED_SUMS * period;
        int j = 0;
        for (long i = from; i < to; i += LANES) {
            FloatVector center = FloatVector.fromArray(FLOATS, t, j);
            FloatVector xi = KIND.load(x, i);
            FloatVector g = gated(KIND.load(dy, i), xi, center, FloatVector.fromArray(FLOATS, t, scales + j),
                    FloatVector.fromArray(FLOATS, t, shifts + j), relu);
            FloatVector.fromArray(FLOATS, t, sums + j).add(g).intoArray(t, sums + j);
            g.fma(xi.sub(center), FloatVector.fromArray(FLOATS, t, centeredSums + j)).intoArray(t, centeredSums + j);
            j += LANES;
            j = j == period ? 0 : j;
        }
    }

    /** {@link #gradientPeriods}, and {@code dx = dy'·dyScale} of each register. */
    private static void gradientPeriodsWritingDx(MemorySegment x, MemorySegment dy, long from, long to, int period,
                                                 float[] t, boolean relu, MemorySegment dx) {
        int scales = ShortRows.SCALE * period, shifts = ShortRows.SHIFT * period;
        int sums = ShortRows.DY_SUMS * period, centeredSums = ShortRows.CENTERED_SUMS * period;
        int dyScales = ShortRows.DY_SCALE * period;
        int j = 0;
        for (long i = from; i < to; i += LANES) {
            FloatVector center = FloatVector.fromArray(FLOATS, t, j);
            FloatVector xi = KIND.load(x, i);
            FloatVector g = gated(KIND.load(dy, i), xi, center, FloatVector.fromArray(FLOATS, t, scales + j),
                    FloatVector.fromArray(FLOATS, t, shifts + j), relu);
            FloatVector.fromArray(FLOATS, t, sums + j).add(g).intoArray(t, sums + j);
            g.fma(xi.sub(center), FloatVector.fromArray(FLOATS, t, centeredSums + j)).intoArray(t, centeredSums + j);
            KIND.store(g.fma(FloatVector.fromArray(FLOATS, t, dyScales + j), ZERO), dx, i);
            j += LANES;
            j = j == period ? 0 : j;
        }
    }

    /** {@link #addGradients} of elements {@code [from, to)} for a period of one register, the partials held in it. */
    private static void gradientPeriodsOfOne(MemorySegment x, MemorySegment dy, long from, long to, float[] t,
                                             boolean relu, MemorySegment dx) {
        int period = LANES;
        boolean writes = dx != null;
        FloatVector center = FloatVector.fromArray(FLOATS, t, 0);
        FloatVector scale = FloatVector.fromArray(FLOATS, t, ShortRows.SCALE * period);
        FloatVector shift = FloatVector.fromArray(FLOATS, t, ShortRows.SHIFT * period);
        FloatVector dyScale = FloatVector.fromArray(FLOATS, t, ShortRows.DY_SCALE * period);
        FloatVector s = FloatVector.fromArray(FLOATS, t, ShortRows.DY_SUMS * period);
        FloatVector sc = FloatVector.fromArray(FLOATS, t, ShortRows.CENTERED_SUMS * period);
        for (long i = from; i < to; i += LANES) {
            FloatVector xi = KIND.load(x, i);
            FloatVector g = gated(KIND.load(dy, i), xi, center, scale, shift, relu);
            s = s.add(g);
            sc = g.fma(xi.sub(center), sc);
            if (writes) {
                KIND.store(g.fma(dyScale, ZERO), dx, i);
            }
        }
        s.intoArray(t, ShortRows.DY_SUMS * period);
        sc.intoArray(t, ShortRows.CENTERED_SUMS * period);
    }

    /** Four vectors side by side into block from offset. */
    private static void intoBlock(float[] block, int offset, FloatVector v0, FloatVector v1, FloatVector v2,
                                  FloatVector v3) {
        v0.intoArray(block, offset);
        v1.intoArray(block, offset + LANES);
        v2.intoArray(block, offset + 2 * LANES);
        v3.intoArray(block, offset + 3 * LANES);
    }

    /**
     * block[SHIFTS + v·LANES + j]: the float mean of the first {@code pilot} rows of lane j's channel in register v
     * of the column from c0 (see {@link #columnStart}).
     */
    private static void pilotMeans(MemorySegment x, long pilot, int channels, int c0, float[] block) {
        for (int v = 0; v < 4; v++) {
            FloatVector sum = FloatVector.zero(FLOATS);
            for (long r = 0; r < pilot; r++) {
                sum = sum.add(KIND.load(x, r * channels + columnStart(c0, v, channels)));
            }
            sum.div(pilot).intoArray(block, SHIFTS + v * LANES);
        }
    }

    /**
     * block[SUMS + v·LANES + j] and block[SQUARES + v·LANES + j]: Σ (x − K) and Σ (x − K)² over rows
     * [r0, end) of four registers read from {@code startV} in each row (see {@link #registerStart}), K in
     * block[SHIFTS + v·LANES + j]: four independent chains per row.
     */
    private static void shiftedSumsOfFour(MemorySegment x, long r0, long end, int channels, long start0, long start1,
                                          long start2, long start3, float[] block) {
        FloatVector k0 = FloatVector.fromArray(FLOATS, block, SHIFTS);
        FloatVector k1 = FloatVector.fromArray(FLOATS, block, SHIFTS + LANES);
        FloatVector k2 = FloatVector.fromArray(FLOATS, block, SHIFTS + 2 * LANES);
        FloatVector k3 = FloatVector.fromArray(FLOATS, block, SHIFTS + 3 * LANES);
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector q0 = s0;
        FloatVector q1 = s0;
        FloatVector q2 = s0;
        FloatVector q3 = s0;
        for (long r = r0; r < end; r++) {
            long row = r * channels;
            FloatVector d0 = KIND.load(x, row + start0).sub(k0);
            FloatVector d1 = KIND.load(x, row + start1).sub(k1);
            FloatVector d2 = KIND.load(x, row + start2).sub(k2);
            FloatVector d3 = KIND.load(x, row + start3).sub(k3);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            s2 = s2.add(d2);
            s3 = s3.add(d3);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
            q2 = d2.fma(d2, q2);
            q3 = d3.fma(d3, q3);
        }
        intoBlock(block, SUMS, s0, s1, s2, s3);
        intoBlock(block, SQUARES, q0, q1, q2, q3);
    }

    /**
     * {@link #shiftedSumsOfFour} of a column of three registers from starts 0 to 2 in two blocks, rows
     * {@code [r0, end)} and the same rows of the next block, into block's registers 0 to 2 and 3 to 5 (as
     * {@link #registerStart} lays out two blocks of three). As four registers, the fourth a repeat of the first,
     * one block at a time, {@code [15420, 17]} training forward at 256 bits took 106.3-107.4 µs, this way 88.1-97.0
     * (JMH, an Intel machine; the adds waited on, a chain a register down the rows).
     */
    private static void shiftedSumsOfThreeTwice(MemorySegment x, long r0, long end, int channels, long start0,
                                                long start1, long start2, float[] block) {
        FloatVector k0 = FloatVector.fromArray(FLOATS, block, SHIFTS);
        FloatVector k1 = FloatVector.fromArray(FLOATS, block, SHIFTS + LANES);
        FloatVector k2 = FloatVector.fromArray(FLOATS, block, SHIFTS + 2 * LANES);
        FloatVector s0 = FloatVector.zero(FLOATS), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0;
        FloatVector q0 = s0, q1 = s0, q2 = s0, q3 = s0, q4 = s0, q5 = s0;
        long next = (long) ROW_BLOCK * channels;
        for (long r = r0; r < end; r++) {
            long row = r * channels;
            FloatVector d0 = KIND.load(x, row + start0).sub(k0);
            FloatVector d1 = KIND.load(x, row + start1).sub(k1);
            FloatVector d2 = KIND.load(x, row + start2).sub(k2);
            FloatVector d3 = KIND.load(x, row + next + start0).sub(k0);
            FloatVector d4 = KIND.load(x, row + next + start1).sub(k1);
            FloatVector d5 = KIND.load(x, row + next + start2).sub(k2);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            s2 = s2.add(d2);
            s3 = s3.add(d3);
            s4 = s4.add(d4);
            s5 = s5.add(d5);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
            q2 = d2.fma(d2, q2);
            q3 = d3.fma(d3, q3);
            q4 = d4.fma(d4, q4);
            q5 = d5.fma(d5, q5);
        }
        intoBlock(block, SUMS, s0, s1, s2, s3);
        s4.intoArray(block, SUMS + 4 * LANES);
        s5.intoArray(block, SUMS + 5 * LANES);
        intoBlock(block, SQUARES, q0, q1, q2, q3);
        q4.intoArray(block, SQUARES + 4 * LANES);
        q5.intoArray(block, SQUARES + 5 * LANES);
    }

    /**
     * {@link #shiftedSumsOfFour} of a column of four registers from starts 0 to 3 and the row's last register from
     * start4 (a column of one, the rest of the row), K from the per-channel shifts, into block's registers 0 to 4:
     * rows of C = 4 lanes + 1 to 5 lanes (17 to 20 at 128 bits), and such a column at the end of any wider row. A
     * pass of its own over the last register, four blocks at once, read every row's cache lines again: the moments
     * of {@code [15420, 17]} at 128 bits took 57.8-58.4 µs that way, 55.2-55.4 this way, {@code [8000, 36]}
     * 52.5-54.9 and 49.3-51.6 (JMH, two runs of two forks, an Intel machine).
     */
    private static void shiftedSumsOfFive(MemorySegment x, long r0, long end, int channels, float[] shifts,
                                          long start0, long start1, long start2, long start3, long start4,
                                          float[] block) {
        FloatVector k0 = FloatVector.fromArray(FLOATS, shifts, (int) start0);
        FloatVector k1 = FloatVector.fromArray(FLOATS, shifts, (int) start1);
        FloatVector k2 = FloatVector.fromArray(FLOATS, shifts, (int) start2);
        FloatVector k3 = FloatVector.fromArray(FLOATS, shifts, (int) start3);
        FloatVector k4 = FloatVector.fromArray(FLOATS, shifts, (int) start4);
        FloatVector s0 = FloatVector.zero(FLOATS), s1 = s0, s2 = s0, s3 = s0, s4 = s0;
        FloatVector q0 = s0, q1 = s0, q2 = s0, q3 = s0, q4 = s0;
        for (long r = r0; r < end; r++) {
            long row = r * channels;
            FloatVector d0 = KIND.load(x, row + start0).sub(k0);
            FloatVector d1 = KIND.load(x, row + start1).sub(k1);
            FloatVector d2 = KIND.load(x, row + start2).sub(k2);
            FloatVector d3 = KIND.load(x, row + start3).sub(k3);
            FloatVector d4 = KIND.load(x, row + start4).sub(k4);
            s0 = s0.add(d0);
            s1 = s1.add(d1);
            s2 = s2.add(d2);
            s3 = s3.add(d3);
            s4 = s4.add(d4);
            q0 = d0.fma(d0, q0);
            q1 = d1.fma(d1, q1);
            q2 = d2.fma(d2, q2);
            q3 = d3.fma(d3, q3);
            q4 = d4.fma(d4, q4);
        }
        intoBlock(block, SUMS, s0, s1, s2, s3);
        s4.intoArray(block, SUMS + 4 * LANES);
        intoBlock(block, SQUARES, q0, q1, q2, q3);
        q4.intoArray(block, SQUARES + 4 * LANES);
    }

    /**
     * {@link #shiftedSumsOfFour} of a single block of a column of one register, into block's first register: the
     * last block of a row's last register, or a row of a register ({@link #shiftedBlockSums}).
     */
    private static void shiftedSumsOfOne(MemorySegment x, long r0, long end, int channels, int c0, float[] block) {
        long start = columnStart(c0, 0, channels);
        FloatVector k = FloatVector.fromArray(FLOATS, block, SHIFTS);
        FloatVector s = FloatVector.zero(FLOATS);
        FloatVector q = s;
        for (long r = r0; r < end; r++) {
            FloatVector d = KIND.load(x, r * channels + start).sub(k);
            s = s.add(d);
            q = d.fma(d, q);
        }
        s.intoArray(block, SUMS);
        q.intoArray(block, SQUARES);
    }

    /**
     * The moments of a planar layout in one read, in memory order (each example's channel runs one after
     * the other, so the reads are one stream): the shifted sums of {@link #interleavedMoments}, with K the
     * mean of each channel's first values, a block of a run at a time.
     */
    private static void planarMoments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
        int channels = layout.channels();
        float[] shifts = channelShifts(channels);
        for (int c = 0; c < channels; c++) {
            shifts[c] = ScalarBatchNormKernels.pilotMean(layout, x, c);
        }
        Arrays.fill(mean, 0, channels, 0);
        Arrays.fill(m2, 0, channels, 0);
        splitChannels(layout, Parallel.shared(x), (c0, c1) -> {
            for (long o = 0; o < layout.outer(); o++) {
                for (int c = (int) c0; c < c1; c++) {
                    long runStart = layout.runStart(o, c);
                    for (long from = runStart, end = runStart + layout.inner(); from < end; from += RUN_BLOCK) {
                        addShiftedSumsOfBlock(x, from, Math.min(end, from + RUN_BLOCK), shifts[c], mean, m2, c);
                    }
                }
            }
        });
        for (int c = 0; c < channels; c++) {
            ScalarBatchNormKernels.finishShiftedMoments(layout, x, c, shifts[c], mean, m2);
        }
    }

    /**
     * Adds {@code Σ (x − shift)} over {@code [from, to)} to sums[c] and {@code Σ (x − shift)²} to squares[c],
     * in {@link SumOrder}'s order: a pass per register of partials, then the short last group as the scalar
     * kernels take it; one register of partials and no short group summed in the register.
     */
    private static void addShiftedSumsOfBlock(MemorySegment x, long from, long to, float shift,
                                              double[] sumsOfChannels, double[] squaresOfChannels, int c) {
        FloatVector k = splat(shift);
        float[] p = SumOrder.scratch();
        long start = from * Float.BYTES;
        long end = SumOrder.wholeHalvesEnd(from, to) * Float.BYTES;
        boolean oddHalves = (end - start) / HALF_BYTES % 2 == 1;
        for (int pass = 0; pass < SUM_PASSES; pass++) {
            FloatVector sums = FloatVector.zero(FLOATS), sums2 = sums;
            FloatVector squares = sums, squares2 = sums;
            for (long at = start + (long) pass * VECTOR_BYTES; at < end; at += HALF_BYTES) {
                FloatVector d0 = KIND.loadAt(x, at).sub(k), d1 = KIND.loadAt(x, at + FOLD_STRIDE_BYTES).sub(k);
                FloatVector d2 = KIND.loadAt(x, at + 2 * FOLD_STRIDE_BYTES).sub(k);
                FloatVector d3 = KIND.loadAt(x, at + 3 * FOLD_STRIDE_BYTES).sub(k);
                FloatVector addedSums = sums.add(d0.add(d1).add(d2.add(d3)));
                FloatVector addedSquares = squares.add(d0.fma(d0, d1.mul(d1)).add(d2.fma(d2, d3.mul(d3))));
                sums = sums2; // the other half's partials next (see VectorPenaltyKernels.sumAbsBlock)
                sums2 = addedSums;
                squares = squares2;
                squares2 = addedSquares;
            }
            (oddHalves ? sums2 : sums).intoArray(p, pass * LANES);
            (oddHalves ? sums : sums2).intoArray(p, 16 + pass * LANES);
            (oddHalves ? squares2 : squares).intoArray(p, SumOrder.PARTIALS + pass * LANES);
            (oddHalves ? squares : squares2).intoArray(p, SumOrder.PARTIALS + 16 + pass * LANES);
        }
        ScalarBatchNormKernels.addShiftedGroups(x, from, end / Float.BYTES, to, shift, p);
        sumsOfChannels[c] += total(p, 0);
        squaresOfChannels[c] += total(p, SumOrder.PARTIALS);
    }

    @Override
    public void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a) {
        // each layout's loop in a method of its own, compiled on its own: in one method, on segments over
        // byte[] (loads of bytes reinterpreted as floats), C2 reached its node limit and boxed vectors
        // (6-37 KB a call of 4112-4626 floats in AllocationTest's JVM)
        // short runs of whole registers, eight or more, go run by run, their coefficients broadcast: from the
        // windows' tables [8, 256, 1, 128] took 27 µs at 512 bits and 44 at 128, run by run 22 and 35 (harness);
        // runs of one or two registers were slower that way (8 values at 128 bits: 64 -> 124 µs). Runs of a power
        // of two up to 32 registers go two rows at a time by pairs of registers (ColumnWindows.Loops
        // normalizeColumns): [8, 1024, 1, 32] inference at 128 bits 105 -> 42 µs, [8, 512, 1, 64] at 256 bits
        // 54 -> 27, [8, 256, 1, 128] at 512 bits 33 -> 23; runs of 64 registers were slower so (36 -> 41)
        if (ColumnWindows.shortRuns(layout) && (layout.inner() % LANES != 0 || layout.inner() < 8 * LANES
                || Integer.bitCount(layout.inner()) == 1 && layout.inner() <= 32 * LANES)) {
            ColumnWindows.normalize(layout, x, y, a, this);
            return;
        }
        if (layout.planar()) {
            normalizePlanar(layout, x, y, a);
            return;
        }
        int channels = layout.channels();
        if (AlignedColumns.longRows(channels)) {
            ColumnWindows.normalize(layout, x, y, a, this);
            return;
        }
        splitRows(layout, Parallel.shared(x, y),
                (r0, r1) -> normalizeShortRows(x, y, r0 * channels, r1 * channels, channels, a));
    }

    /**
     * A pass over a planar layout, split over threads by channels as {@link ColumnWindows} splits short runs:
     * each channel's sums in one part, in the order of one thread.
     */
    private static void splitChannels(ChannelLayout layout, boolean shared, Parallel.Part channels) {
        Parallel.run(layout.channels(), 1, ColumnWindows.channelsPerPart(layout), shared, channels);
    }

    /**
     * An element-wise pass over the rows of an interleaved layout, split over threads by whole rows, of at least
     * {@link Parallel#ELEMENTWISE_PART} values a part, each part's first row on a cache line: pass gets rows
     * {@code [r0, r1)}.
     */
    private static void splitRows(ChannelLayout layout, boolean shared, Parallel.Part rows) {
        int channels = layout.channels();
        long rowsPerLine = Parallel.LINE / Integer.lowestOneBit(channels | (int) Parallel.LINE);
        Parallel.run(layout.outer(), rowsPerLine, Math.max(1, Parallel.ELEMENTWISE_PART / channels), shared, rows);
    }

    /** {@link #normalize} of elements {@code [from, to)}, whole rows shorter than long rows. */
    private static void normalizeShortRows(MemorySegment x, MemorySegment y, long from, long to, int channels,
                                           ChannelAffine a) {
        if (GROUP % channels != 0) {
            normalizeWrapping(x, y, from, to, channels, a);
            return;
        }
        // chunks start on a row: C divides the group, which divides a chunk
        for (long base = from; base < to; base += Chunks.MAX) {
            normalizeGroups(x, y, base, Chunks.length(to, base), channels, a);
        }
    }

    /** {@link #normalize} of a planar layout, run by run. */
    private static void normalizePlanar(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a) {
        splitChannels(layout, Parallel.shared(x, y), (c0, c1) -> normalizePlanar(layout, x, y, a, (int) c0, (int) c1));
    }

    /** {@link #normalizePlanar} of channels {@code [c0, c1)}. */
    private static void normalizePlanar(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a,
                                        int c0, int c1) {
        boolean relu = a.relu();
        int inner = layout.inner();
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = c0; c < c1; c++) {
                long from = layout.runStart(o, c);
                float center = a.center()[c];
                float scale = a.scale()[c];
                float shift = a.shift()[c];
                int i = 0;
                for (int end = loopEnd(0, inner, LANES); i < end; i += LANES) {
                    KIND.store(normalized(KIND.load(x, from + i), splat(center), splat(scale), splat(shift), relu), y, from + i);
                }
                ScalarBatchNormKernels.normalizeRange(x, y, from + i, from + inner, center, scale, shift, relu);
            }
        }
    }

    /**
     * {@link #normalize} of columns {@code [first, first + columns)} of every row, their coefficients from a
     * table of sections center, scale and shift, or, without one (t null), from a's per-channel arrays for
     * columns from {@code column} of runs values a channel ({@link #normalizeColumns}). Several rows at a time,
     * each register's coefficients taken once for them, and the loads before the stores (a load after a store to
     * another row at the same offset modulo 4 KiB waits on it): at 128 bits three loads of coefficients a register
     * and row made the loop wait on loads ({@code [8, 4096, 1, 8]} training forward 130 -> 98 µs, harness). Four
     * rows from the arrays where runs are shorter than a register or not a power of two, whose coefficients are
     * spread by shuffles, and for runs of two registers (then two: {@code [8, 4096, 1, 8]} training forward at 128
     * bits 119.5-120.6 -> 113.1-116.3 µs, JMH, two forks, two rounds); two from the arrays for runs of a register or
     * of a power of two registers; two from the table: four rows' streams at once took {@code [64, 4096]} inference
     * at 512 bits to 37-80 µs from one JVM or buffer to another, two 44-50 (256 bits: 38-50 and 36-42; harness,
     * eight buffers each).
     */
    private static void normalizeRows(MemorySegment x, MemorySegment y, MemorySegment t, long stride, ChannelAffine a,
                                      int runs, long column, long rows, long rowLength, long first, int columns,
                                      boolean relu) {
        long r = 0;
        boolean spread = runs < LANES || Integer.bitCount(runs) != 1; // registers spread from the arrays
        boolean fourRows = t == null && (spread || runs == 2 * LANES);
        for (; fourRows && r + 4 <= rows; r += 4) {
            long row = r * rowLength + first;
            if (spread) {
                normalizeFourRowsOfRuns(x, y, a, runs, column, row, rowLength, columns);
            } else {
                normalizeFourRowsOfRegisterPairRuns(x, y, a, (int) (column / runs), row, rowLength, columns);
            }
        }
        for (; (t != null || !spread) && r + 2 <= rows; r += 2) {
            long row = r * rowLength + first;
            if (t != null) {
                normalizeTwoRows(x, y, t, stride, row, rowLength, columns, relu);
            } else if (runs == LANES) {
                normalizeTwoRowsOfRegisterRuns(x, y, a, (int) (column / runs), row, rowLength, columns);
            } else if (runs == 2 * LANES) {
                normalizeTwoRowsOfRegisterPairRuns(x, y, a, (int) (column / runs), row, rowLength, columns);
            } else {
                normalizeTwoRowsByRegisterPairs(x, y, a, runs, (int) (column / runs), row, rowLength, columns);
            }
        }
        for (; r < rows; r++) {
            if (t == null) {
                normalizeRowOfRuns(x, y, a, runs, column, r * rowLength + first, columns);
            } else {
                normalizeRow(x, y, t, stride, r * rowLength + first, columns, relu);
            }
        }
    }

    /**
     * {@link #normalizeRows} of the two rows from {@code row} from the table. Methods of their own, these four
     * (in {@link #normalizeRows}, in a JVM that had used every kind of segment, C2 boxed the vectors), apart for
     * the table and the arrays (a register from either, in one loop, was boxed), each with its body written out
     * (a shared method taking the registers, not inlined, boxed them).
     */
    private static void normalizeTwoRows(MemorySegment x, MemorySegment y, MemorySegment t, long stride, long row,
                                         long rowLength, int columns, boolean relu) {
        for (int c = 0; c < columns; c += LANES) {
            FloatVector center = NATIVE.load(t, c);
            FloatVector scale = NATIVE.load(t, stride + c);
            FloatVector shift = NATIVE.load(t, 2 * stride + c);
            long i = row + c;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + rowLength);
            KIND.store(normalized(x0, center, scale, shift, relu), y, i);
            KIND.store(normalized(x1, center, scale, shift, relu), y, i + rowLength);
        }
    }

    /** {@link #normalizeRows} of the four rows from {@code row} from a's arrays. */
    private static void normalizeFourRowsOfRuns(MemorySegment x, MemorySegment y, ChannelAffine a, int runs,
                                                long column, long row, long rowLength, int columns) {
        boolean relu = a.relu();
        for (int c = 0; c < columns; c += LANES) {
            FloatVector center = perColumnAt(a.center(), column + c, runs);
            FloatVector scale = perColumnAt(a.scale(), column + c, runs);
            FloatVector shift = perColumnAt(a.shift(), column + c, runs);
            long i = row + c;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + rowLength);
            FloatVector x2 = KIND.load(x, i + 2 * rowLength);
            FloatVector x3 = KIND.load(x, i + 3 * rowLength);
            KIND.store(normalized(x0, center, scale, shift, relu), y, i);
            KIND.store(normalized(x1, center, scale, shift, relu), y, i + rowLength);
            KIND.store(normalized(x2, center, scale, shift, relu), y, i + 2 * rowLength);
            KIND.store(normalized(x3, center, scale, shift, relu), y, i + 3 * rowLength);
        }
    }

    /**
     * {@link #normalizeRows} of the two rows from {@code row} from a's arrays, runs of one register from channel
     * {@code channel}: a channel at a time, its coefficients broadcast once for both rows. {@code [8, 4096, 1, 8]}
     * inference at 256 bits took 40 µs through the table (with the repeats into it), 25 so in a toy of the loop,
     * against 25 for a flat loop over the same values at 128 bits; a broadcast per register and row, the loop over
     * columns, 47 (toy, 128 bits).
     */
    private static void normalizeTwoRowsOfRegisterRuns(MemorySegment x, MemorySegment y, ChannelAffine a, int channel,
                                                       long row, long rowLength, int columns) {
        boolean relu = a.relu();
        for (int c = 0, channels = columns / LANES; c < channels; c++) {
            FloatVector center = FloatVector.broadcast(FLOATS, a.center()[channel + c]);
            FloatVector scale = FloatVector.broadcast(FLOATS, a.scale()[channel + c]);
            FloatVector shift = FloatVector.broadcast(FLOATS, a.shift()[channel + c]);
            long i = row + (long) c * LANES;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + rowLength);
            KIND.store(normalized(x0, center, scale, shift, relu), y, i);
            KIND.store(normalized(x1, center, scale, shift, relu), y, i + rowLength);
        }
    }

    /**
     * {@link #normalizeTwoRowsOfRegisterRuns} of runs of two registers ({@code [8, 4096, 1, 8]} at 128 bits: 49 µs
     * inference through the table, 28 in a toy of this loop).
     */
    private static void normalizeTwoRowsOfRegisterPairRuns(MemorySegment x, MemorySegment y, ChannelAffine a,
                                                           int channel, long row, long rowLength, int columns) {
        boolean relu = a.relu();
        for (int c = 0, channels = columns / (2 * LANES); c < channels; c++) {
            FloatVector center = FloatVector.broadcast(FLOATS, a.center()[channel + c]);
            FloatVector scale = FloatVector.broadcast(FLOATS, a.scale()[channel + c]);
            FloatVector shift = FloatVector.broadcast(FLOATS, a.shift()[channel + c]);
            long i = row + (long) c * 2 * LANES;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + LANES);
            FloatVector x2 = KIND.load(x, i + rowLength);
            FloatVector x3 = KIND.load(x, i + rowLength + LANES);
            KIND.store(normalized(x0, center, scale, shift, relu), y, i);
            KIND.store(normalized(x1, center, scale, shift, relu), y, i + LANES);
            KIND.store(normalized(x2, center, scale, shift, relu), y, i + rowLength);
            KIND.store(normalized(x3, center, scale, shift, relu), y, i + rowLength + LANES);
        }
    }

    /**
     * {@link #normalizeTwoRowsOfRegisterPairRuns} of the four rows from {@code row}, its body written out as theirs
     * (see {@link #normalizeTwoRows}).
     */
    private static void normalizeFourRowsOfRegisterPairRuns(MemorySegment x, MemorySegment y, ChannelAffine a,
                                                            int channel, long row, long rowLength, int columns) {
        boolean relu = a.relu();
        for (int c = 0, channels = columns / (2 * LANES); c < channels; c++) {
            FloatVector center = FloatVector.broadcast(FLOATS, a.center()[channel + c]);
            FloatVector scale = FloatVector.broadcast(FLOATS, a.scale()[channel + c]);
            FloatVector shift = FloatVector.broadcast(FLOATS, a.shift()[channel + c]);
            long i = row + (long) c * 2 * LANES;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + LANES);
            FloatVector x2 = KIND.load(x, i + rowLength);
            FloatVector x3 = KIND.load(x, i + rowLength + LANES);
            FloatVector x4 = KIND.load(x, i + 2 * rowLength);
            FloatVector x5 = KIND.load(x, i + 2 * rowLength + LANES);
            FloatVector x6 = KIND.load(x, i + 3 * rowLength);
            FloatVector x7 = KIND.load(x, i + 3 * rowLength + LANES);
            KIND.store(normalized(x0, center, scale, shift, relu), y, i);
            KIND.store(normalized(x1, center, scale, shift, relu), y, i + LANES);
            KIND.store(normalized(x2, center, scale, shift, relu), y, i + rowLength);
            KIND.store(normalized(x3, center, scale, shift, relu), y, i + rowLength + LANES);
            KIND.store(normalized(x4, center, scale, shift, relu), y, i + 2 * rowLength);
            KIND.store(normalized(x5, center, scale, shift, relu), y, i + 2 * rowLength + LANES);
            KIND.store(normalized(x6, center, scale, shift, relu), y, i + 3 * rowLength);
            KIND.store(normalized(x7, center, scale, shift, relu), y, i + 3 * rowLength + LANES);
        }
    }

    /**
     * {@link #normalizeTwoRowsOfRegisterPairRuns} of runs of a power of two registers, four to 32, a pair of
     * registers at a time, the coefficients of its channel broadcast for the pair of both rows. A loop per channel
     * over its pairs, nested, took {@code [8, 4096, 1, 8]} at 128 bits from 117 to 198 µs; the channel from the
     * pair's index (a shift, its arrays' bounds checked each time) from 117 to 122 for runs of two registers, whence
     * the loop above (JMH and harness); the bodies written out in both, as in {@link #normalizeTwoRows}.
     */
    private static void normalizeTwoRowsByRegisterPairs(MemorySegment x, MemorySegment y, ChannelAffine a,
                                                        int runs, int channel, long row, long rowLength,
                                                        int columns) {
        boolean relu = a.relu();
        int pairsPerChannel = Integer.numberOfTrailingZeros(runs / (2 * LANES));
        for (int p = 0, pairs = columns / (2 * LANES); p < pairs; p++) {
            int c = channel + (p >>> pairsPerChannel);
            FloatVector center = FloatVector.broadcast(FLOATS, a.center()[c]);
            FloatVector scale = FloatVector.broadcast(FLOATS, a.scale()[c]);
            FloatVector shift = FloatVector.broadcast(FLOATS, a.shift()[c]);
            long i = row + (long) p * 2 * LANES;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + LANES);
            FloatVector x2 = KIND.load(x, i + rowLength);
            FloatVector x3 = KIND.load(x, i + rowLength + LANES);
            KIND.store(normalized(x0, center, scale, shift, relu), y, i);
            KIND.store(normalized(x1, center, scale, shift, relu), y, i + LANES);
            KIND.store(normalized(x2, center, scale, shift, relu), y, i + rowLength);
            KIND.store(normalized(x3, center, scale, shift, relu), y, i + rowLength + LANES);
        }
    }

    /**
     * {@link #normalizeRows} of the row from {@code row} from the table: a call of its own, so that where C2 finds
     * the last rows cold it calls compiled code, not the caller's code with its vectors boxed (3.6 KB a call of
     * 18 rows).
     */
    private static void normalizeRow(MemorySegment x, MemorySegment y, MemorySegment t, long stride, long row,
                                     int columns, boolean relu) {
        for (int c = 0; c < columns; c += LANES) {
            KIND.store(normalized(KIND.load(x, row + c), NATIVE.load(t, c), NATIVE.load(t, stride + c),
                    NATIVE.load(t, 2 * stride + c), relu), y, row + c);
        }
    }

    /** {@link #normalizeRow} from a's arrays. */
    private static void normalizeRowOfRuns(MemorySegment x, MemorySegment y, ChannelAffine a, int runs, long column,
                                           long row, int columns) {
        for (int c = 0; c < columns; c += LANES) {
            KIND.store(normalized(KIND.load(x, row + c), perColumnAt(a.center(), column + c, runs),
                    perColumnAt(a.scale(), column + c, runs), perColumnAt(a.shift(), column + c, runs), a.relu()),
                    y, row + c);
        }
    }

    /**
     * {@link #normalize} of elements {@code [from, to)} (whole rows) of an interleaved layout whose rows are shorter
     * than {@link AlignedColumns#longRows long rows} and C does not divide {@link #GROUP}: one flat loop a
     * register at a time, whose coefficients start at the register's first channel in tables that run C +
     * LANES channels (see {@link #wrap}). A loop per row ran a register or two per row: {@code [15420, 17]}
     * inference took 110 µs that way and 30 in this loop (harness).
     */
    private static void normalizeWrapping(MemorySegment x, MemorySegment y, long from, long to, int channels,
                                          ChannelAffine a) {
        boolean relu = a.relu();
        float[] t = WRAPPED.get();
        int span = wrappedSpan(channels);
        wrap(t, channels, 0, a.center());
        wrap(t, channels, 1, a.scale());
        wrap(t, channels, 2, a.shift());
        long k = from;
        int period = period(channels);
        if (period == 3 * LANES) {
            k = normalizeThreeRegisterPeriods(x, y, from, to, t, span, relu);
        } else if (period <= span && period >= 16 * LANES) {
            k = normalizeFourPeriods(x, y, from, to, period, t, span, relu);
        } else if (period <= span) {
            k = normalizePeriodsByRegister(x, y, from, to, period, t, span, relu);
        }
        int step = LANES % channels;
        for (long end = to - LANES, c = (k - from) % channels; k <= end; k += LANES) {
            int j = (int) c;
            KIND.store(normalized(KIND.load(x, k), FloatVector.fromArray(FLOATS, t, j),
                    FloatVector.fromArray(FLOATS, t, span + j), FloatVector.fromArray(FLOATS, t, 2 * span + j), relu),
                    y, k);
            c += step;
            c = c >= channels ? c - channels : c;
        }
        for (; k < to; k++) {
            int c = (int) ((k - from) % channels);
            Floats.set(y, k, ScalarBatchNormKernels.normalized(get(x, k), a.center()[c], a.scale()[c], a.shift()[c],
                    relu));
        }
    }

    /**
     * The registers of elements {@code [from, to)} whose channels repeat every three registers (C = 3, 6, 12 and,
     * from 256 bits, 24 and 48), their coefficients in registers rotated after each, as in
     * {@link #normalizeWholeGroups}; returns the end of the registers done.
     */
    private static long normalizeThreeRegisterPeriods(MemorySegment x, MemorySegment y, long from, long to, float[] t,
                                                      int span, boolean relu) {
        FloatVector c0 = FloatVector.fromArray(FLOATS, t, 0), c1 = FloatVector.fromArray(FLOATS, t, LANES);
        FloatVector c2 = FloatVector.fromArray(FLOATS, t, 2 * LANES);
        FloatVector s0 = FloatVector.fromArray(FLOATS, t, span), s1 = FloatVector.fromArray(FLOATS, t, span + LANES);
        FloatVector s2 = FloatVector.fromArray(FLOATS, t, span + 2 * LANES);
        FloatVector h0 = FloatVector.fromArray(FLOATS, t, 2 * span);
        FloatVector h1 = FloatVector.fromArray(FLOATS, t, 2 * span + LANES);
        FloatVector h2 = FloatVector.fromArray(FLOATS, t, 2 * span + 2 * LANES);
        long k = from;
        for (long end = to - LANES; k <= end; k += LANES) {
            KIND.store(normalized(KIND.load(x, k), c0, s0, h0, relu), y, k);
            FloatVector c = c0, s = s0, h = h0;
            c0 = c1; c1 = c2; c2 = c;
            s0 = s1; s1 = s2; s2 = s;
            h0 = h1; h1 = h2; h2 = h;
        }
        return k;
    }

    /**
     * The whole periods of elements {@code [from, to)} of a period of 16 registers or more, four periods at a time:
     * each register of the period's coefficients loaded once for the four, at offsets from the loop's counter, whose
     * bounds C2 checks once a loop. {@link #normalizePeriodsByRegister} steps down a block by the period, a bounds
     * check a load or store and no unrolling: {@code [15420, 17]} inference at 128 bits 64 -> 53 µs, {@code [4096,
     * 64]} 60 -> 54, at 256 bits {@code [15420, 17]} 41 -> 37; shorter periods slower (five registers at 128 bits
     * 53 -> 100, 64 channels at 256 bits 38 -> 44; harness). Returns the end of the periods done.
     */
    private static long normalizeFourPeriods(MemorySegment x, MemorySegment y, long from, long to, int period,
                                             float[] t, int span, boolean relu) {
        long step = 4L * period;
        long end = to - (to - from) % step;
        for (long k = from; k < end; k += step) {
            for (int j = 0; j < period; j += LANES) {
                FloatVector center = FloatVector.fromArray(FLOATS, t, j);
                FloatVector scale = FloatVector.fromArray(FLOATS, t, span + j);
                FloatVector shift = FloatVector.fromArray(FLOATS, t, 2 * span + j);
                long i = k + j;
                FloatVector x0 = KIND.load(x, i), x1 = KIND.load(x, i + period);
                FloatVector x2 = KIND.load(x, i + 2L * period), x3 = KIND.load(x, i + 3L * period);
                KIND.store(normalized(x0, center, scale, shift, relu), y, i);
                KIND.store(normalized(x1, center, scale, shift, relu), y, i + period);
                KIND.store(normalized(x2, center, scale, shift, relu), y, i + 2L * period);
                KIND.store(normalized(x3, center, scale, shift, relu), y, i + 3L * period);
            }
        }
        return end;
    }

    /** Floats of a block of whole periods that {@link #normalizePeriodsByRegister} takes a register at a time. */
    private static final int PERIOD_BLOCK = 2048;

    /**
     * The whole periods of elements {@code [from, to)} of a period of five to 15 registers, a block of periods at
     * a time: for each two registers of the period, their coefficients in registers, then those registers of
     * every period of the block, which stays in L1 from the first register to the last. Returns the end of the
     * periods done. {@code [15420, 17]} inference at 128 bits took 72 µs in the flat loop, whose coefficient index
     * is carried from register to register, 46 a register at a time, 39 two at a time and 32 four at a time
     * (harness), but four boxed vectors at 128 bits (4.8 KB a call of {@code [2, 67, 31]}, AllocationTest).
     */
    private static long normalizePeriodsByRegister(MemorySegment x, MemorySegment y, long from, long to, int period,
                                                   float[] t, int span, boolean relu) {
        int block = Math.max(1, PERIOD_BLOCK / period) * period;
        long end = to - (to - from) % period;
        long k = from;
        for (; k < end; k += block) {
            int length = (int) Math.min(block, end - k);
            int j = 0;
            for (; j + 2 * LANES <= period; j += 2 * LANES) {
                FloatVector c0 = FloatVector.fromArray(FLOATS, t, j);
                FloatVector s0 = FloatVector.fromArray(FLOATS, t, span + j);
                FloatVector h0 = FloatVector.fromArray(FLOATS, t, 2 * span + j);
                FloatVector c1 = FloatVector.fromArray(FLOATS, t, j + LANES);
                FloatVector s1 = FloatVector.fromArray(FLOATS, t, span + j + LANES);
                FloatVector h1 = FloatVector.fromArray(FLOATS, t, 2 * span + j + LANES);
                for (int o = j; o < length; o += period) {
                    KIND.store(normalized(KIND.load(x, k + o), c0, s0, h0, relu), y, k + o);
                    KIND.store(normalized(KIND.load(x, k + o + LANES), c1, s1, h1, relu), y, k + o + LANES);
                }
            }
            for (; j < period; j += LANES) {
                FloatVector center = FloatVector.fromArray(FLOATS, t, j);
                FloatVector scale = FloatVector.fromArray(FLOATS, t, span + j);
                FloatVector shift = FloatVector.fromArray(FLOATS, t, 2 * span + j);
                for (int o = j; o < length; o += period) {
                    KIND.store(normalized(KIND.load(x, k + o), center, scale, shift, relu), y, k + o);
                }
            }
        }
        return end;
    }

    /** Floats after which the channels of a register repeat: the least common multiple of C and LANES. */
    private static int period(int channels) {
        return channels / gcd(channels, LANES) * LANES;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * The coefficient tables of the wrapping loops: each array's C values followed by its first LANES again
     * (repeated, for fewer channels), side by side in t a span apart, the array of slot k from {@code k·span}: a
     * register of coefficients from any channel reads them in order, wrapping to channel 0 where the next row
     * starts. One array a call (a varargs array was garbage of every part of a split call).
     */
    private static int wrappedSpan(int channels) {
        int period = period(channels);
        return period <= AlignedColumns.LONG_ROW + LANES ? Math.max(channels + LANES, period) : channels + LANES;
    }

    private static void wrap(float[] t, int channels, int slot, float[] column) {
        int span = wrappedSpan(channels);
        for (int j = 0; j < span; j++) {
            t[slot * span + j] = column[j % channels];
        }
    }

    /**
     * {@link #normalize} of an interleaved layout whose rows are short, C dividing {@link #GROUP}, as one
     * flat loop over elements {@code [from, from + n)} (a whole number of rows) a group of four registers at
     * a time, their coefficients held in registers: a loop per row would run a few iterations each.
     */
    private static void normalizeGroups(MemorySegment x, MemorySegment y, long from, int n, int channels,
                                        ChannelAffine a) {
        boolean relu = a.relu();
        float[] t = GROUP_TABLE.get();
        repeatInGroup(a.center(), channels, t, CENTER);
        repeatInGroup(a.scale(), channels, t, SCALE);
        repeatInGroup(a.shift(), channels, t, SHIFT);
        int k = loopEnd(0, n, GROUP);
        normalizeWholeGroups(x, y, from, k, t, relu);
        for (; k < n; k++) {
            int j = k % channels;
            Floats.set(y, from + k, ScalarBatchNormKernels.normalized(get(x, from + k), a.center()[j], a.scale()[j],
                    a.shift()[j], relu));
        }
    }

    /**
     * The groups of {@link #normalizeGroups}, elements {@code [from, from + n)}; a method of its own, as the
     * loops of {@link #normalize}. Two registers at a time, both loaded before either is stored, the group's
     * coefficient registers rotated by two after each: C2 unrolls the loop and the rotation becomes a choice of
     * registers. A register at a time, with y one register after x modulo 4 KiB, each load of x came just after
     * the store to y at its offset and waited on it: {@code [4096, 64]} inference at 512 bits 29.3-31.2 µs against
     * 24.8-26.1 two at a time (harness, three JVMs each; the same with y elsewhere and at 256 and 128 bits). Four
     * registers of data an iteration, each with its coefficients, passed C2's NodeCountInliningCutoff on
     * byte[]-backed segments, which left the last store a call and boxed a register per group (6-19 KB a call of
     * 4112 floats, AllocationTest).
     */
    private static void normalizeWholeGroups(MemorySegment x, MemorySegment y, long from, int n, float[] t,
                                             boolean relu) {
        FloatVector c0 = groupRegister(t, CENTER, 0 * LANES), c1 = groupRegister(t, CENTER, 1 * LANES);
        FloatVector c2 = groupRegister(t, CENTER, 2 * LANES), c3 = groupRegister(t, CENTER, 3 * LANES);
        FloatVector s0 = groupRegister(t, SCALE, 0 * LANES), s1 = groupRegister(t, SCALE, 1 * LANES);
        FloatVector s2 = groupRegister(t, SCALE, 2 * LANES), s3 = groupRegister(t, SCALE, 3 * LANES);
        FloatVector h0 = groupRegister(t, SHIFT, 0 * LANES), h1 = groupRegister(t, SHIFT, 1 * LANES);
        FloatVector h2 = groupRegister(t, SHIFT, 2 * LANES), h3 = groupRegister(t, SHIFT, 3 * LANES);
        for (int k = 0; k < n; k += 2 * LANES) {
            long i = from + k;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + LANES);
            KIND.store(normalized(x0, c0, s0, h0, relu), y, i);
            KIND.store(normalized(x1, c1, s1, h1, relu), y, i + LANES);
            FloatVector c = c0, s = s0, h = h0;
            c0 = c2; c2 = c;
            s0 = s2; s2 = s;
            h0 = h2; h2 = h;
            c = c1; s = s1; h = h1;
            c1 = c3; c3 = c;
            s1 = s3; s3 = s;
            h1 = h3; h3 = h;
        }
    }

    /** values[0 … C) repeated through the {@link #GROUP} floats of slot {@code slot} of t. */
    private static void repeatInGroup(float[] values, int channels, float[] t, int slot) {
        for (int j = 0; j < GROUP; j++) {
            t[slot * GROUP + j] = values[j % channels];
        }
    }

    /** This thread's room for the shifts of C channels. */
    private static float[] channelShifts(int channels) {
        float[] shifts = CHANNEL_SHIFTS.get();
        if (shifts.length < channels) {
            shifts = new float[channels];
            CHANNEL_SHIFTS.set(shifts);
        }
        return shifts;
    }

    /** At least C zeros and {@link Workspace#SLACK} more, this thread's. */
    private static float[] zeroChannels(int channels) {
        float[] zeros = ZERO_CHANNELS.get();
        if (zeros.length < channels + Workspace.SLACK) {
            zeros = new float[channels + Workspace.SLACK];
            ZERO_CHANNELS.set(zeros);
        }
        return zeros;
    }

    /** The register of slot {@code slot} of a group table that starts at entry j. */
    private static FloatVector groupRegister(float[] t, int slot, int j) {
        return FloatVector.fromArray(FLOATS, t, slot * GROUP + j);
    }

    private static FloatVector column(float[] perChannel, int c) {
        return FloatVector.fromArray(FLOATS, perChannel, c);
    }

    private static FloatVector normalized(FloatVector x, FloatVector center, FloatVector scale, FloatVector shift,
                                          boolean relu) {
        FloatVector y = x.sub(center).fma(scale, shift);
        // max(y, 0) bit for bit (NaN kept, −0 to +0) by a compare and a blend: Java's max costs a sequence on x86
        return relu ? y.blend(0f, y.compare(VectorOperators.LE, 0f)) : y;
    }

    /** dy, zero where the forward value before the ReLU was {@code <= 0}. */
    private static FloatVector gated(FloatVector dy, FloatVector x, FloatVector center, FloatVector scale,
                                     FloatVector shift, boolean relu) {
        return relu ? dy.blend(0f, x.sub(center).fma(scale, shift).compare(VectorOperators.LE, 0f)) : dy;
    }

    @Override
    public void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                             double[] sumDy, double[] sumDyCentered, MemorySegment dx, float[] dyScale) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.gradientSums(layout, x, dy, a, sumDy, sumDyCentered, dx, dyScale, this);
            return;
        }
        if (layout.planar()) {
            // in memory order, as planarMoments
            Arrays.fill(sumDy, 0, layout.channels(), 0);
            Arrays.fill(sumDyCentered, 0, layout.channels(), 0);
            splitChannels(layout, Parallel.shared(x, dy, dx, null), (c0, c1) -> {
                for (long o = 0; o < layout.outer(); o++) {
                    for (int c = (int) c0; c < c1; c++) {
                        runGradientSums(x, dy, layout.runStart(o, c), layout.inner(), a, c, sumDy, sumDyCentered, dx,
                                dyScale);
                    }
                }
            });
            return;
        }
        int channels = layout.channels();
        long rows = layout.outer();
        if (ShortRows.of(layout)) {
            ScalarBatchNormKernels.shortRowGradientSums(layout, x, dy, a, sumDy, sumDyCentered, dx, dyScale, this);
            return;
        }
        if (AlignedColumns.longRows(channels)) {
            ColumnWindows.gradientSums(layout, x, dy, a, sumDy, sumDyCentered, dx, dyScale, this);
            return;
        }
        columnarGradientSums(x, dy, a, rows, channels, sumDy, sumDyCentered);
        if (dx != null) {
            scaledGradients(layout, x, dy, dx, a, dyScale);
        }
    }

    /**
     * Rows {@code [r0, end)} of columns {@code [first, first + columns)}, added into the float sums of a table of
     * sections center, scale, shift, sums and centered sums (a window of {@link ColumnWindows}); a method of its
     * own for C2's node limit, as {@link #shiftedSumsOfRows}.
     */
    private static void gradientSumsOfRows(MemorySegment x, MemorySegment dy, MemorySegment t, long stride, long r0,
                                           long end, long rowLength, long first, int columns, boolean relu) {
        long scales = stride, shifts = 2 * stride, sums = 3 * stride, centeredSums = 4 * stride;
        for (long r = r0; r < end; r++) {
            long row = r * rowLength + first;
            for (int c = 0; c < columns; c += LANES) {
                FloatVector center = NATIVE.load(t, c);
                FloatVector xi = KIND.load(x, row + c);
                FloatVector g = gated(KIND.load(dy, row + c), xi, center, NATIVE.load(t, scales + c),
                        NATIVE.load(t, shifts + c), relu);
                NATIVE.store(NATIVE.load(t, sums + c).add(g), t, sums + c);
                NATIVE.store(g.fma(xi.sub(center), NATIVE.load(t, centeredSums + c)), t, centeredSums + c);
            }
        }
    }

    /**
     * {@link #gradientSumsOfRows} without the ReLU of whole fours of rows from r0, four at a time in row order (the
     * same sums), each register's sums kept in it across them as {@link #shiftedSumsOfRows} does; returns the first
     * row it left. [256, 1024] training backward 105-111 -> 102-108 µs (JMH; 47f43de 108). A method of its own: in
     * one with the gated loop it reached C2's node limit beside every other kernel and boxed (9-228 KB a call,
     * AllocationTest); with the gating in it, in one JMH fork too (with the ReLU 112-118 -> 160 µs).
     */
    private static long gradientSumsOfFourRows(MemorySegment x, MemorySegment dy, MemorySegment t, long stride,
                                               long r0, long end, long rowLength, long first, int columns) {
        long sums = 3 * stride, centeredSums = 4 * stride;
        long r = r0;
        for (; r + 4 <= end; r += 4) {
            long row = r * rowLength + first;
            for (int c = 0; c < columns; c += LANES) {
                FloatVector center = NATIVE.load(t, c);
                FloatVector g0 = KIND.load(dy, row + c), g1 = KIND.load(dy, row + rowLength + c);
                FloatVector g2 = KIND.load(dy, row + 2 * rowLength + c), g3 = KIND.load(dy, row + 3 * rowLength + c);
                NATIVE.store(NATIVE.load(t, sums + c).add(g0).add(g1).add(g2).add(g3), t, sums + c);
                FloatVector q = g0.fma(KIND.load(x, row + c).sub(center), NATIVE.load(t, centeredSums + c));
                q = g1.fma(KIND.load(x, row + rowLength + c).sub(center), q);
                q = g2.fma(KIND.load(x, row + 2 * rowLength + c).sub(center), q);
                NATIVE.store(g3.fma(KIND.load(x, row + 3 * rowLength + c).sub(center), q), t, centeredSums + c);
            }
        }
        return r;
    }

    /**
     * The gradient sums of rows of 16 to 255 channels: columns of up to four registers down blocks of rows, the
     * last ending the row (see {@link #columnStart}).
     */
    private static void columnarGradientSums(MemorySegment x, MemorySegment dy, ChannelAffine a, long rows,
                                             int channels, double[] sumDy, double[] sumDyCentered) {
        BlockSums.sum(rows, ROW_BLOCK, channels, Parallel.shared(x, dy),
                (table, b0, b1) -> gradientBlockSums(x, dy, a, rows, channels, table, b0, b1), sumDy, sumDyCentered);
    }

    /** The float gradient sums of row blocks {@code [b0, b1)} into their places in the table (see {@link BlockSums}). */
    private static void gradientBlockSums(MemorySegment x, MemorySegment dy, ChannelAffine a, long rows, int channels,
                                          float[] table, int b0, int b1) {
        float[] block = BLOCK.get();
        // Row blocks outermost, so that a block's rows stay in cache for all its columns. With the ReLU, a
        // column of two registers at a time: four, with the gating, grew past what C2 inlines and boxed
        // vectors (7.5 bytes allocated per element; NHWC training backward 5.19 -> 4.14–4.44 ms, measured).
        for (int b = b0; b < b1; b++) {
            long r0 = (long) b * ROW_BLOCK;
            long end = Math.min(rows, r0 + ROW_BLOCK);
            int sums = BlockSums.first(b, channels), centeredSums = BlockSums.second(b, channels);
            for (int c0 = 0, start, width; c0 < channels; c0 = start + width) {
                boolean four = !a.relu() && c0 + 4 * LANES <= channels;
                boolean two = a.relu() && c0 + 2 * LANES <= channels;
                width = four ? 4 * LANES : two ? 2 * LANES : LANES;
                start = columnStart(c0, 0, channels);
                if (four) {
                    columnGradientSumsOfFour(x, dy, a, r0, end, channels, start, block);
                } else if (two) {
                    gatedColumnGradientSumsOfTwo(x, dy, a, r0, end, channels, start, block);
                } else {
                    columnGradientSums(x, dy, a, r0, end, channels, start, block);
                }
                for (int j = c0 - start; j < width; j++) {
                    table[sums + start + j] = block[SUMS + j];
                    table[centeredSums + start + j] = block[SQUARES + j];
                }
            }
        }
    }

    /**
     * block[SUMS + j] and block[SQUARES + j]: {@code Σ dy'} and {@code Σ dy'·(x − center)} over rows
     * [r0, end) of column c0 + j, in float.
     */
    private static void columnGradientSums(MemorySegment x, MemorySegment dy, ChannelAffine a, long r0, long end,
                                           int channels, int c0, float[] block) {
        boolean relu = a.relu();
        FloatVector center = column(a.center(), c0);
        FloatVector scale = column(a.scale(), c0);
        FloatVector shift = column(a.shift(), c0);
        FloatVector s = FloatVector.zero(FLOATS);
        FloatVector sc = s;
        for (long r = r0; r < end; r++) {
            long i = r * channels + c0;
            FloatVector xi = KIND.load(x, i);
            FloatVector g = gated(KIND.load(dy, i), xi, center, scale, shift, relu);
            s = s.add(g);
            sc = g.fma(xi.sub(center), sc);
        }
        s.intoArray(block, SUMS);
        sc.intoArray(block, SQUARES);
    }

    /** {@link #columnGradientSums} with the ReLU, of two vectors of columns side by side. */
    private static void gatedColumnGradientSumsOfTwo(MemorySegment x, MemorySegment dy, ChannelAffine a, long r0,
                                                     long end, int channels, int c0, float[] block) {
        FloatVector center0 = column(a.center(), c0), center1 = column(a.center(), c0 + LANES);
        FloatVector scale0 = column(a.scale(), c0), scale1 = column(a.scale(), c0 + LANES);
        FloatVector shift0 = column(a.shift(), c0), shift1 = column(a.shift(), c0 + LANES);
        FloatVector s0 = FloatVector.zero(FLOATS), s1 = s0, sc0 = s0, sc1 = s0;
        for (long r = r0; r < end; r++) {
            long i = r * channels + c0;
            FloatVector x0 = KIND.load(x, i), x1 = KIND.load(x, i + LANES);
            FloatVector g0 = gated(KIND.load(dy, i), x0, center0, scale0, shift0, true);
            FloatVector g1 = gated(KIND.load(dy, i + LANES), x1, center1, scale1, shift1, true);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            sc0 = g0.fma(x0.sub(center0), sc0);
            sc1 = g1.fma(x1.sub(center1), sc1);
        }
        s0.intoArray(block, SUMS);
        s1.intoArray(block, SUMS + LANES);
        sc0.intoArray(block, SQUARES);
        sc1.intoArray(block, SQUARES + LANES);
    }

    /** {@link #columnGradientSums} without the ReLU, of four vectors of columns side by side. */
    private static void columnGradientSumsOfFour(MemorySegment x, MemorySegment dy, ChannelAffine a, long r0, long end,
                                                 int channels, int c0, float[] block) {
        FloatVector center0 = column(a.center(), c0);
        FloatVector center1 = column(a.center(), c0 + LANES);
        FloatVector center2 = column(a.center(), c0 + 2 * LANES);
        FloatVector center3 = column(a.center(), c0 + 3 * LANES);
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        FloatVector sc0 = s0;
        FloatVector sc1 = s0;
        FloatVector sc2 = s0;
        FloatVector sc3 = s0;
        for (long r = r0; r < end; r++) {
            long i = r * channels + c0;
            FloatVector x0 = KIND.load(x, i);
            FloatVector x1 = KIND.load(x, i + LANES);
            FloatVector x2 = KIND.load(x, i + 2 * LANES);
            FloatVector x3 = KIND.load(x, i + 3 * LANES);
            FloatVector g0 = KIND.load(dy, i);
            FloatVector g1 = KIND.load(dy, i + LANES);
            FloatVector g2 = KIND.load(dy, i + 2 * LANES);
            FloatVector g3 = KIND.load(dy, i + 3 * LANES);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            s2 = s2.add(g2);
            s3 = s3.add(g3);
            sc0 = g0.fma(x0.sub(center0), sc0);
            sc1 = g1.fma(x1.sub(center1), sc1);
            sc2 = g2.fma(x2.sub(center2), sc2);
            sc3 = g3.fma(x3.sub(center3), sc3);
        }
        intoBlock(block, SUMS, s0, s1, s2, s3);
        intoBlock(block, SQUARES, sc0, sc1, sc2, sc3);
    }

    /**
     * Inference backward's {@code dx = fma(dy', dyScale, 0)} of an interleaved layout, row by row after the
     * sums. Fused into the sums' column loops it ran slower (measured: {@code [256, 1024]} at half the
     * speed, NHWC no faster): those stores go down a column, 4 KiB apart for 1024 channels, which may alias
     * the next rows' loads; and with four registers the loop grew past what C2 inlines, so it boxed vectors.
     */
    private void scaledGradients(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                 ChannelAffine a, float[] dyScale) {
        boolean relu = a.relu();
        int channels = layout.channels();
        if (!relu) {
            // (dy − 0)·dyScale + 0, the same bits, by normalize's loops for short rows
            float[] zeros = zeroChannels(channels);
            normalize(layout, dy, dx, new ChannelAffine(zeros, dyScale, zeros, false));
            return;
        }
        splitRows(layout, Parallel.shared(x, dy, dx, null),
                (r0, r1) -> gatedScaledWrapping(x, dy, dx, r0 * channels, r1 * channels, channels, a, dyScale));
    }

    /**
     * {@code dx = dy'·dyScale} over columns {@code [first, first + columns)} of every row, from a table of
     * sections center, scale, shift and dyScale.
     */
    private static void scaledGradientRows(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t,
                                           long stride, long rows, long rowLength, long first, int columns,
                                           boolean relu) {
        long scales = stride, shifts = 2 * stride, dyScales = 3 * stride;
        for (long r = 0; r < rows; r++) {
            long row = r * rowLength + first;
            for (int c = 0; c < columns; c += LANES) {
                long i = row + c;
                FloatVector g = gated(KIND.load(dy, i), KIND.load(x, i), NATIVE.load(t, c), NATIVE.load(t, scales + c),
                        NATIVE.load(t, shifts + c), relu);
                KIND.store(g.fma(NATIVE.load(t, dyScales + c), ZERO), dx, i);
            }
        }
    }

    /** {@link #scaledGradients} with the ReLU of rows shorter than long rows, as {@link #normalizeWrapping}. */
    private static void gatedScaledWrapping(MemorySegment x, MemorySegment dy, MemorySegment dx, long from, long to,
                                            int channels, ChannelAffine a, float[] dyScale) {
        float[] t = WRAPPED.get();
        int span = wrappedSpan(channels);
        wrap(t, channels, 0, a.center());
        wrap(t, channels, 1, a.scale());
        wrap(t, channels, 2, a.shift());
        wrap(t, channels, 3, dyScale);
        int step = LANES % channels;
        long k = from;
        for (long end = to - LANES, c = 0; k <= end; k += LANES) {
            int j = (int) c;
            FloatVector g = gated(KIND.load(dy, k), KIND.load(x, k), FloatVector.fromArray(FLOATS, t, j),
                    FloatVector.fromArray(FLOATS, t, span + j), FloatVector.fromArray(FLOATS, t, 2 * span + j), true);
            KIND.store(g.fma(FloatVector.fromArray(FLOATS, t, 3 * span + j), ZERO), dx, k);
            c += step;
            c = c >= channels ? c - channels : c;
        }
        for (; k < to; k++) {
            int c = (int) (k % channels);
            float g = ScalarBatchNormKernels.gated(get(dy, k), get(x, k), a.center()[c], a.scale()[c], a.shift()[c],
                    true);
            Floats.set(dx, k, ScalarBatchNormKernels.scaledGradient(g, dyScale[c]));
        }
    }

    /**
     * Adds the gradient sums of one run of channel c to sumDy[c] and sumDyCentered[c], a block at a time in
     * {@link SumOrder}'s order; writes dx when given.
     */
    private static void runGradientSums(MemorySegment x, MemorySegment dy, long runStart, int inner, ChannelAffine a,
                                        int c, double[] sumDy, double[] sumDyCentered, MemorySegment dx,
                                        float[] dyScale) {
        float gradientScale = dx == null ? 0f : dyScale[c];
        for (long from = runStart, end = runStart + inner; from < end; from += RUN_BLOCK) {
            addGradientSumsOfBlock(x, dy, from, Math.min(end, from + RUN_BLOCK), a, c, sumDy, sumDyCentered, dx,
                    gradientScale);
        }
    }

    /**
     * Adds {@code Σ dy'} over {@code [from, to)} to sumDy[c] and {@code Σ dy'·(x − center)} to
     * sumDyCentered[c], in the order of {@link #addShiftedSumsOfBlock}, and writes
     * {@code dx = dy'·gradientScale} when dx is given, in the same loop: as a loop of its own after the sums, over
     * the block in L1, NCHW {@code [32, 64, 56, 56]} inference backward took 3.9-4.1 ms against 3.0-3.2 (JMH).
     * Two half groups a loop iteration, without the swap of partials, took the loop past C2's node limit: it
     * boxed, 13 ms.
     */
    private static void addGradientSumsOfBlock(MemorySegment x, MemorySegment dy, long from, long to, ChannelAffine a,
                                               int c, double[] sumDy, double[] sumDyCentered, MemorySegment dx,
                                               float gradientScale) {
        float[] p = SumOrder.scratch();
        boolean relu = a.relu();
        boolean writes = dx != null;
        FloatVector center = splat(a.center()[c]);
        FloatVector scale = splat(a.scale()[c]);
        FloatVector shift = splat(a.shift()[c]);
        FloatVector scaleDx = splat(gradientScale);
        long end = SumOrder.wholeHalvesEnd(from, to);
        long endByte = end * Float.BYTES;
        boolean oddHalves = (end - from) / SumOrder.HALF % 2 == 1;
        for (int pass = 0; pass < SUM_PASSES; pass++) {
            FloatVector sums = FloatVector.zero(FLOATS), sums2 = sums;
            FloatVector centeredSums = sums, centeredSums2 = sums;
            for (long at = from * Float.BYTES + (long) pass * VECTOR_BYTES; at < endByte; at += HALF_BYTES) {
                FloatVector x0 = KIND.loadAt(x, at), x1 = KIND.loadAt(x, at + FOLD_STRIDE_BYTES);
                FloatVector x2 = KIND.loadAt(x, at + 2 * FOLD_STRIDE_BYTES), x3 = KIND.loadAt(x, at + 3 * FOLD_STRIDE_BYTES);
                FloatVector g0 = gated(KIND.loadAt(dy, at), x0, center, scale, shift, relu);
                FloatVector g1 = gated(KIND.loadAt(dy, at + FOLD_STRIDE_BYTES), x1, center, scale, shift, relu);
                FloatVector g2 = gated(KIND.loadAt(dy, at + 2 * FOLD_STRIDE_BYTES), x2, center, scale, shift, relu);
                FloatVector g3 = gated(KIND.loadAt(dy, at + 3 * FOLD_STRIDE_BYTES), x3, center, scale, shift, relu);
                if (writes) {
                    KIND.storeAt(g0.fma(scaleDx, ZERO), dx, at);
                    KIND.storeAt(g1.fma(scaleDx, ZERO), dx, at + FOLD_STRIDE_BYTES);
                    KIND.storeAt(g2.fma(scaleDx, ZERO), dx, at + 2 * FOLD_STRIDE_BYTES);
                    KIND.storeAt(g3.fma(scaleDx, ZERO), dx, at + 3 * FOLD_STRIDE_BYTES);
                }
                FloatVector addedSums = sums.add(g0.add(g1).add(g2.add(g3)));
                FloatVector addedCentered = centeredSums.add(g0.fma(x0.sub(center), g1.mul(x1.sub(center)))
                        .add(g2.fma(x2.sub(center), g3.mul(x3.sub(center)))));
                sums = sums2; // the other half's partials next (see VectorPenaltyKernels.sumAbsBlock)
                sums2 = addedSums;
                centeredSums = centeredSums2;
                centeredSums2 = addedCentered;
            }
            (oddHalves ? sums2 : sums).intoArray(p, pass * LANES);
            (oddHalves ? sums : sums2).intoArray(p, 16 + pass * LANES);
            (oddHalves ? centeredSums2 : centeredSums).intoArray(p, SumOrder.PARTIALS + pass * LANES);
            (oddHalves ? centeredSums : centeredSums2).intoArray(p, SumOrder.PARTIALS + 16 + pass * LANES);
        }
        ScalarBatchNormKernels.addGradientGroups(x, dy, from, end, to, a, c, p, dx, gradientScale);
        sumDy[c] += total(p, 0);
        sumDyCentered[c] += total(p, SumOrder.PARTIALS);
    }

    @Override
    public void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                              ChannelAffine a, float[] dyScale, float[] xScale, float[] bias) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.inputGradient(layout, x, dy, dx, a, dyScale, xScale, bias, this);
            return;
        }
        if (layout.planar()) {
            splitChannels(layout, Parallel.shared(x, dy, dx, null), (c0, c1) -> inputGradientPlanar(layout, x, dy, dx,
                    a, dyScale, xScale, bias, (int) c0, (int) c1));
            return;
        }
        int channels = layout.channels();
        if (AlignedColumns.longRows(channels)) {
            ColumnWindows.inputGradient(layout, x, dy, dx, a, dyScale, xScale, bias, this);
            return;
        }
        splitRows(layout, Parallel.shared(x, dy, dx, null),
                (r0, r1) -> inputGradientShortRows(x, dy, dx, r0 * channels, r1 * channels, channels, a, dyScale,
                        xScale, bias));
    }

    /** {@link #inputGradient} of channels {@code [c0, c1)} of a planar layout, run by run. */
    private static void inputGradientPlanar(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                            ChannelAffine a, float[] dyScale, float[] xScale, float[] bias, int c0,
                                            int c1) {
        boolean relu = a.relu();
        int inner = layout.inner();
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = c0; c < c1; c++) {
                long from = layout.runStart(o, c);
                FloatVector center = splat(a.center()[c]);
                FloatVector scale = splat(a.scale()[c]);
                FloatVector shift = splat(a.shift()[c]);
                FloatVector g = splat(dyScale[c]);
                FloatVector h = splat(xScale[c]);
                FloatVector k = splat(bias[c]);
                int i = 0;
                for (int end = loopEnd(0, inner, LANES); i < end; i += LANES) {
                    FloatVector xi = KIND.load(x, from + i);
                    KIND.store(inputGradient(xi, KIND.load(dy, from + i), center, scale, shift, relu, g, h, k), dx,
                            from + i);
                }
                ScalarBatchNormKernels.inputGradientRange(x, dy, dx, from + i, from + inner, c, a, dyScale, xScale,
                        bias);
            }
        }
    }

    /** {@link #inputGradient} of elements {@code [from, to)}, whole rows shorter than long rows. */
    private static void inputGradientShortRows(MemorySegment x, MemorySegment dy, MemorySegment dx, long from,
                                               long to, int channels, ChannelAffine a, float[] dyScale,
                                               float[] xScale, float[] bias) {
        if (GROUP % channels != 0) {
            inputGradientWrapping(x, dy, dx, from, to, channels, a, dyScale, xScale, bias);
            return;
        }
        float[] repeated = GROUP_TABLE.get();
        repeatInGroup(a.center(), channels, repeated, CENTER);
        repeatInGroup(a.scale(), channels, repeated, SCALE);
        repeatInGroup(a.shift(), channels, repeated, SHIFT);
        repeatInGroup(dyScale, channels, repeated, DY_SCALE);
        repeatInGroup(xScale, channels, repeated, X_SCALE);
        repeatInGroup(bias, channels, repeated, BIAS);
        // the six slots as one column, so each slot starts on a cache line
        MemorySegment groups = AlignedColumns.of(SLOTS * GROUP, repeated);
        for (long base = from; base < to; base += Chunks.MAX) {
            inputGradientGroups(x, dy, dx, base, Chunks.length(to, base), channels, a, groups, dyScale, xScale, bias);
        }
    }

    /** {@link #inputGradient} of rows shorter than long rows, as {@link #normalizeWrapping}. */
    private static void inputGradientWrapping(MemorySegment x, MemorySegment dy, MemorySegment dx, long from,
                                              long to, int channels, ChannelAffine a, float[] dyScale, float[] xScale,
                                              float[] bias) {
        boolean relu = a.relu();
        float[] t = WRAPPED.get();
        int span = wrappedSpan(channels);
        wrap(t, channels, 0, a.center());
        wrap(t, channels, 1, a.scale());
        wrap(t, channels, 2, a.shift());
        wrap(t, channels, 3, dyScale);
        wrap(t, channels, 4, xScale);
        wrap(t, channels, 5, bias);
        int step = LANES % channels;
        long k = from;
        for (long end = to - LANES, c = 0; k <= end; k += LANES) {
            int j = (int) c;
            KIND.store(inputGradient(KIND.load(x, k), KIND.load(dy, k), FloatVector.fromArray(FLOATS, t, j),
                    FloatVector.fromArray(FLOATS, t, span + j), FloatVector.fromArray(FLOATS, t, 2 * span + j), relu,
                    FloatVector.fromArray(FLOATS, t, 3 * span + j), FloatVector.fromArray(FLOATS, t, 4 * span + j),
                    FloatVector.fromArray(FLOATS, t, 5 * span + j)), dx, k);
            c += step;
            c = c >= channels ? c - channels : c;
        }
        for (; k < to; k++) {
            int c = (int) (k % channels);
            Floats.set(dx, k, ScalarBatchNormKernels.inputGradient(get(x, k), get(dy, k), a.center()[c], a.scale()[c],
                    a.shift()[c], relu, dyScale[c], xScale[c], bias[c]));
        }
    }

    /**
     * {@link #inputGradient} of columns {@code [first, first + columns)} of every row, from the last, their
     * coefficients from a table of sections center, scale, shift, dyScale, xScale and bias.
     */
    private static void inputGradientRows(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t,
                                          long stride, long rows, long rowLength, long first, int columns,
                                          boolean relu) {
        for (long r = rows - 1; r >= 0; r--) {
            long row = r * rowLength + first;
            for (int c = 0; c < columns; c += LANES) {
                KIND.store(inputGradient(KIND.load(x, row + c), KIND.load(dy, row + c), NATIVE.load(t, c),
                        NATIVE.load(t, stride + c), NATIVE.load(t, 2 * stride + c), relu, NATIVE.load(t, 3 * stride + c),
                        NATIVE.load(t, 4 * stride + c), NATIVE.load(t, 5 * stride + c)), dx, row + c);
            }
        }
    }

    /**
     * {@link #inputGradient} of an interleaved layout whose rows are short, C dividing {@link #GROUP}, as one
     * flat loop over elements {@code [from, from + n)} (from a multiple of the group), a register at a time,
     * its coefficients loaded from the group table at the register's place in its group. For NHWC
     * {@code [32, 56, 56, 64]} a loop per row took 2.6 ms, three times a copy; four registers per iteration
     * with their coefficients held in registers took 2.8–3.2 ms, where C2 kept every access's bounds and
     * liveness checks in the loop (measured).
     */
    private static void inputGradientGroups(MemorySegment x, MemorySegment dy, MemorySegment dx, long from, int n,
                                            int channels, ChannelAffine a, MemorySegment groups, float[] dyScale,
                                            float[] xScale, float[] bias) {
        boolean relu = a.relu();
        int k = loopEnd(0, n, LANES);
        inputGradientRegisters(x, dy, dx, from, k, groups, relu);
        for (; k < n; k++) {
            long i = from + k;
            int j = k % channels;
            Floats.set(dx, i, ScalarBatchNormKernels.inputGradient(get(x, i), get(dy, i), a.center()[j], a.scale()[j],
                    a.shift()[j], relu, dyScale[j], xScale[j], bias[j]));
        }
    }

    /**
     * The registers of {@link #inputGradientGroups}, elements {@code [from, from + n)}, n a multiple of LANES, in
     * a loop of their own per case of the ReLU. One loop with the ReLU as a branch, which C2 unswitched, boxed a
     * register per register of data in one compilation of two beside every other kernel (25-50 KB a call of
     * 4112-6176 floats, AllocationTest, ten runs); one loop gating by a mask of all lanes or none took NHWC
     * {@code [32, 56, 56, 64]} training backward from 5.7 to 8.1 ms without the ReLU (its forward pass, compare
     * and blend in every register).
     */
    private static void inputGradientRegisters(MemorySegment x, MemorySegment dy, MemorySegment dx, long from, int n,
                                               MemorySegment groups, boolean relu) {
        if (relu) {
            gatedInputGradientRegisters(x, dy, dx, from, n, groups);
            return;
        }
        for (int k = 0; k < n; k += LANES) {
            long i = from + k;
            int j = k & (GROUP - 1);
            FloatVector centered = KIND.load(x, i).sub(NATIVE.load(groups, j));
            FloatVector inner = KIND.load(dy, i).fma(NATIVE.load(groups, DY_SCALE * GROUP + j),
                    NATIVE.load(groups, BIAS * GROUP + j));
            KIND.store(centered.fma(NATIVE.load(groups, X_SCALE * GROUP + j), inner), dx, i);
        }
    }

    /** {@link #inputGradientRegisters} with the ReLU: dy where the forward output was positive, else 0. */
    private static void gatedInputGradientRegisters(MemorySegment x, MemorySegment dy, MemorySegment dx, long from,
                                                    int n, MemorySegment groups) {
        for (int k = 0; k < n; k += LANES) {
            long i = from + k;
            int j = k & (GROUP - 1);
            FloatVector centered = KIND.load(x, i).sub(NATIVE.load(groups, j));
            FloatVector forward = centered.fma(NATIVE.load(groups, SCALE * GROUP + j), NATIVE.load(groups, SHIFT * GROUP + j));
            FloatVector g = KIND.load(dy, i).blend(0f, forward.compare(VectorOperators.LE, 0f));
            FloatVector inner = g.fma(NATIVE.load(groups, DY_SCALE * GROUP + j), NATIVE.load(groups, BIAS * GROUP + j));
            KIND.store(centered.fma(NATIVE.load(groups, X_SCALE * GROUP + j), inner), dx, i);
        }
    }

    private static FloatVector inputGradient(FloatVector x, FloatVector dy, FloatVector center, FloatVector scale,
                                             FloatVector shift, boolean relu, FloatVector dyScale, FloatVector xScale,
                                             FloatVector bias) {
        return x.sub(center).fma(xScale, gated(dy, x, center, scale, shift, relu).fma(dyScale, bias));
    }
}
