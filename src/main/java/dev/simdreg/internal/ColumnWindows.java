package dev.simdreg.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.BatchNormKernels.ROW_BLOCK;
import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/**
 * Batch norm over layouts taken as rows of columns, a window of {@link #WINDOW} columns at a time: the long
 * rows of an interleaved layout, a column a channel, and planar layouts whose runs are shorter than
 * {@link #RUN} values (NCHW with small planes, such as a ResNet's last 7×7), N rows of C·S columns, column
 * {@code c·S + s} holding value s of channel c's run in every example.
 * <p>
 * The short runs' order: summed run by run, each run a block of {@link SumOrder} with its own tree of
 * partials, {@code [32, 2048, 7, 7]} training forward took 3.2 ns per value and {@code [8, 4096, 1, 8]} 12,
 * against 0.11 for runs of 2048 (harness). So a column's terms are added in float row after row over blocks
 * of {@link BatchNormKernels#ROW_BLOCK} rows (squares by fma), as an interleaved layout's channel; a block's
 * float sums of a channel's S columns go to four float partials, column s to partial {@code s mod 4} in order
 * from zero, the channel's block sum is {@code (p0 + p1) + (p2 + p3)}, and its blocks are added in float64 in
 * order from zero: for one column, the interleaved order's own. (Each column's blocks added in float64 first,
 * then the columns to the channel's four partials in float64, a conversion and an add a column: that order
 * took {@code [8, 4096, 1, 8]} training forward at 128 bits to 108-121 µs, this one 94-99; harness.) A window
 * of the sums holds whole channels. The shift K of a channel is the first value of its first run
 * ({@link #firstValues}).
 * <p>
 * Each window's per-column coefficients (a channel's repeated over its columns) and sums sit in a table that
 * stays in L1 while the loops go down every row: long rows read whole took {@code [64, 4096]} inference to
 * 43 µs against 25 in windows, its coefficients (48 KiB) past L1 (harness). A provider's {@link Loops} take
 * the whole registers of each window, the scalar loops here the rest.
 */
public final class ColumnWindows {

    /**
     * Runs of fewer values are short. From 512 values run by run is as fast or faster for few examples: at
     * 512 bits {@code [8, 64, 512]} training forward took 32 µs run by run, 55 in windows (harness); below, the
     * scalar tail of each run's last group of 128 weighs ({@code [8, 160, 196]} 96.5 and 57.1), and narrower
     * vectors pay a pass per register of partials a run ({@code [8, 256, 128]} at 128 bits 202 and 84).
     */
    public static final int RUN = 512;
    /** The span over which addresses alias for the loads that follow stores: 4 KiB. */
    private static final long PAGE = 4096;
    /** Columns of a window: a multiple of every register's lanes. */
    static final int WINDOW = 1024;
    /**
     * The table's sections, a window each: the moments' shifts, sums and squares; the gradient sums' center,
     * scale, shift and two sums; the element-wise loops' center, scale, shift, dyScale, xScale and bias.
     */
    private static final int SECTIONS = 6;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * A thread's working memory, taken once a call: a lookup per window cost 13% of {@code [8, 4096, 8]} inference.
     * Its table has four places, a quarter of a page apart: each pass takes the one farthest, modulo 4 KiB, from the
     * native segments it reads and writes ({@link #place}).
     */
    private static final class Scratch {
        private static final long TABLE_BYTES = (long) SECTIONS * WINDOW * Float.BYTES;
        private final MemorySegment[] places = new MemorySegment[4];
        /** The window's sections, each on a cache line, for the provider's loops: this pass's place. */
        MemorySegment table;
        /**
         * A window's floats on their way out of the table or the provider's loops: first sums, then second sums, and
         * room for a register of the widest vector shape (2048 bits) past them, so that a whole-register load from
         * any column stays in the array.
         */
        final float[] staging = new float[2 * WINDOW + 2048 / Float.SIZE];
        /** Room for the moments' finish ({@link ScalarBatchNormKernels#finishShiftedMoments}). */
        final double[] products = new double[2 * WINDOW];
        /** Per-channel shifts of the moments, grown to the widest layer seen. */
        float[] shifts = new float[0];

        Scratch() {
            MemorySegment room = Arena.ofAuto().allocate(TABLE_BYTES + 3 * PAGE / 4, PAGE);
            for (int k = 0; k < places.length; k++) {
                places[k] = room.asSlice(k * PAGE / 4, TABLE_BYTES);
            }
            table = places[0];
        }

        float[] shifts(int channels) {
            if (shifts.length < channels) {
                shifts = new float[channels];
            }
            return shifts;
        }

        /**
         * The table placed for a pass over the given segments (null for none): where a row's columns sit at the
         * same offset modulo 4 KiB as the table's (rows of a multiple of 1024 floats), a load from the table just
         * after a store to y at that offset plus a register waits on it, and the table's stores hold up the loads
         * of x the same way. {@code [64, 4096]} normalize at 512 bits, x and y at the same offset modulo 4 KiB (a
         * toy of the loop): 33-35 µs with the table there too, 47-49 with it a register before, 28-31 a quarter or
         * half a page away; training forward over 16 pairs of buffers 256 bytes apart in turn, 67-76 µs with the
         * table where it fell and 67-70 placed (harness). Heap segments move with their arrays: nothing to keep
         * away from.
         */
        Scratch place(MemorySegment a, MemorySegment b, MemorySegment c) {
            long farthest = -1;
            for (MemorySegment candidate : places) {
                long at = candidate.address();
                long distance = Math.min(distance(at, a), Math.min(distance(at, b), distance(at, c)));
                if (distance > farthest) {
                    farthest = distance;
                    table = candidate;
                }
            }
            return this;
        }

        private static long distance(long at, MemorySegment s) {
            if (s == null || !s.isNative()) {
                return PAGE;
            }
            long ahead = (s.address() - at) & (PAGE - 1);
            return Math.min(ahead, PAGE - ahead);
        }
    }

    private ColumnWindows() {
    }

    /**
     * A provider's loops over the first columns of a window, {@code [first, first + width)} of rows of
     * rowLength floats, reading per-column values from a table of sections {@code stride} floats apart (the
     * section of column {@code first + j} at entry j); each returns how many of the window's first columns
     * it took, the rest left to the scalar loops. The sections are as each method says.
     */
    public interface Loops {

        /** None: the scalar loops take every column. */
        Loops NONE = new Loops() {
            @Override
            public int addShifted(MemorySegment x, MemorySegment t, long stride, long r0, long end, long rowLength,
                                  long first, int width) {
                return 0;
            }

            @Override
            public int addGradients(MemorySegment x, MemorySegment dy, MemorySegment t, long stride, long r0,
                                    long end, long rowLength, long first, int width, boolean relu) {
                return 0;
            }

            @Override
            public int normalize(MemorySegment x, MemorySegment y, MemorySegment t, long stride, long rows,
                                 long rowLength, long first, int width, boolean relu) {
                return 0;
            }

            @Override
            public int scaleGradients(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t,
                                      long stride, long rows, long rowLength, long first, int width, boolean relu) {
                return 0;
            }

            @Override
            public int inputGradient(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t,
                                     long stride, long rows, long rowLength, long first, int width, boolean relu) {
                return 0;
            }

            @Override
            public int repeat(float[] perChannel, int runs, int channel, int width, MemorySegment t, long at) {
                return 0;
            }

            @Override
            public int normalizeColumns(MemorySegment x, MemorySegment y, ChannelAffine a, int runs, long rows,
                                        long rowLength, long first, int width) {
                return 0;
            }

            @Override
            public int addToChannels(float[] blockSums, int second, int runs, int channel, int channels,
                                     double[] sums, double[] secondSums) {
                return 0;
            }

            @Override
            public int centerShiftedMoments(double count, int from, int to, float[] shifts, double[] mean,
                                            double[] m2, double[] products) {
                return ScalarBatchNormKernels.centerShiftedMoments(count, from, from, to, shifts, mean, m2, products);
            }

            @Override
            public int columnSums(MemorySegment x, float[] shifts, int runs, long r0, long end, long rowLength,
                                  long first, int width, float[] sums, int second) {
                return 0;
            }
        };

        /**
         * Rows {@code [r0, end)}: adds {@code x − shift} to the sums and its square to the squares (sections
         * shift, sums, squares).
         */
        int addShifted(MemorySegment x, MemorySegment t, long stride, long r0, long end, long rowLength, long first,
                       int width);

        /**
         * Rows {@code [r0, end)}: adds {@code dy'} and {@code dy'·(x − center)} to the two sums (sections
         * center, scale, shift, sums, centered sums).
         */
        int addGradients(MemorySegment x, MemorySegment dy, MemorySegment t, long stride, long r0, long end,
                         long rowLength, long first, int width, boolean relu);

        /**
         * Planar short runs of a power of two values, without the table: every row of the window's columns from
         * first (a channel's first), {@code y = f((x − center)·scale + shift)} with each column's channel's
         * coefficients from a; returns how many of the first columns it took. Through the table, three repeats a
         * window took 4 µs of {@code [8, 4096, 1, 8]} inference at 512 bits.
         */
        int normalizeColumns(MemorySegment x, MemorySegment y, ChannelAffine a, int runs, long rows, long rowLength,
                             long first, int width);

        /** Every row: {@code y = f((x − center)·scale + shift)} (sections center, scale, shift). */
        int normalize(MemorySegment x, MemorySegment y, MemorySegment t, long stride, long rows, long rowLength,
                      long first, int width, boolean relu);

        /** Every row: {@code dx = dy'·dyScale} (sections center, scale, shift, dyScale). */
        int scaleGradients(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t, long stride,
                           long rows, long rowLength, long first, int width, boolean relu);

        /**
         * Every row: {@code dx = (x − center)·xScale + (dy'·dyScale + bias)} (sections center, scale, shift,
         * dyScale, xScale, bias).
         */
        int inputGradient(MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment t, long stride,
                          long rows, long rowLength, long first, int width, boolean relu);

        /**
         * Floats {@code [at, at + width)} of t, or the first of them: {@code perChannel[channel]} repeated over
         * runs floats, then each next channel's; returns how many floats it wrote, whole runs.
         */
        int repeat(float[] perChannel, int runs, int channel, int width, MemorySegment t, long at);

        /**
         * Short runs of a power of two values, without the table: rows {@code [r0, end)} of the window's columns
         * from first (a channel's first), each column's float sums of {@code x − shifts[its channel]} and of the
         * squares, row after row from zero as {@link #addShifted} adds them, to {@code sums[j]} and
         * {@code sums[second + j]}. Each register of columns keeps its sums in registers down the rows, its shifts
         * read once: through the table, {@code [8, 4096, 1, 8]} (eight rows) loaded and stored them at every row.
         */
        int columnSums(MemorySegment x, float[] shifts, int runs, long r0, long end, long rowLength, long first,
                       int width, float[] sums, int second);


        /**
         * {@link ColumnWindows#addToChannels} of whole channels from {@code channel} at the window's first column,
         * the block's float sums of their columns at {@code blockSums[0 …]} and
         * {@code blockSums[second …]}: returns how many of the first channels it took.
         */
        int addToChannels(float[] blockSums, int second, int runs, int channel, int channels, double[] sums,
                          double[] secondSums);

        /**
         * {@link ScalarBatchNormKernels#centerShiftedMoments} of the chunk of channels {@code [from, to)}, every
         * channel of it; returns how many fail the tolerance.
         */
        int centerShiftedMoments(double count, int from, int to, float[] shifts, double[] mean, double[] m2,
                                 double[] products);
    }

    /** Whether the sums of this layout take the order of short runs. */
    public static boolean shortRuns(ChannelLayout layout) {
        return layout.planar() && layout.inner() < RUN;
    }

    /**
     * {@link BatchNormKernels#moments} of a layout of short runs, or of an interleaved layout (its own order: a
     * column is a channel).
     */
    public static void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2, Loops loops) {
        if (!layout.planar()) {
            interleavedMoments(layout, x, mean, m2, loops);
            return;
        }
        splitSums(layout, Parallel.shared(x), (c0, c1) -> moments(layout, x, mean, m2, loops, (int) c0, (int) c1));
    }

    /**
     * The moments of an interleaved layout, split over threads by blocks of rows: each part writes the float sums
     * of its blocks, window by window, to a table ({@link BlockSums}), which the caller adds in float64 in block
     * order: a column being a channel, the order of a column's totals down its blocks, the same bits.
     */
    private static void interleavedMoments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2,
                                           Loops loops) {
        int channels = layout.channels();
        Scratch w = SCRATCH.get().place(x, null, null);
        float[] shifts = w.shifts(channels);
        for (long first = 0; first < channels; first += WINDOW) {
            pilotMeans(layout, x, first, (int) Math.min(WINDOW, channels - first), w, shifts, loops);
        }
        BlockSums.sum(layout.outer(), ROW_BLOCK, channels, Parallel.shared(x),
                (table, b0, b1) -> shiftedBlockSums(layout, x, shifts, table, loops, b0, b1), mean, m2);
        ScalarBatchNormKernels.finishShiftedMoments(layout, x, 0, channels, shifts, mean, m2, w.products, loops);
    }

    /** The float sums of row blocks {@code [b0, b1)} of every window, into their places in the table. */
    private static void shiftedBlockSums(ChannelLayout layout, MemorySegment x, float[] shifts, float[] table,
                                         Loops loops, int b0, int b1) {
        int channels = layout.channels();
        MemorySegment t = SCRATCH.get().place(x, null, null).table;
        for (long first = 0; first < channels; first += WINDOW) {
            int width = (int) Math.min(WINDOW, channels - first);
            MemorySegment.copy(shifts, (int) first, t, Floats.LAYOUT, 0, width);
            for (int b = b0; b < b1; b++) {
                long r0 = (long) b * ROW_BLOCK;
                Floats.zero(t, WINDOW, 2 * WINDOW);
                addShifted(x, t, r0, Math.min(layout.outer(), r0 + ROW_BLOCK), channels, first, width, loops);
                toBlockSums(t, WINDOW, table, b, channels, first, width);
            }
        }
    }

    /** The window's two sections of float sums from section sums of t, to block b's places in the table. */
    private static void toBlockSums(MemorySegment t, long sums, float[] table, int b, int channels, long first,
                                    int width) {
        MemorySegment.copy(t, Floats.LAYOUT, sums * Float.BYTES, table, BlockSums.first(b, channels) + (int) first,
                width);
        MemorySegment.copy(t, Floats.LAYOUT, (sums + WINDOW) * Float.BYTES, table,
                BlockSums.second(b, channels) + (int) first, width);
    }

    /** {@link #moments} of channels {@code [c0, c1)} of a layout of short runs. */
    private static void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2, Loops loops,
                                int c0, int c1) {
        Scratch w = SCRATCH.get().place(x, null, null);
        float[] shifts = w.shifts(c1 + Workspace.SLACK);
        firstValues(layout, x, c0, c1, shifts);
        long rowLength = rowLength(layout);
        MemorySegment t = w.table;
        int runs = layout.inner();
        for (long first = (long) c0 * runs, end = (long) c1 * runs; first < end; first += windowColumns(runs)) {
            int width = (int) Math.min(windowColumns(runs), end - first);
            for (long r0 = 0; r0 < layout.outer(); r0 += ROW_BLOCK) {
                long rows = Math.min(layout.outer(), r0 + ROW_BLOCK);
                boolean firstBlock = r0 == 0;
                int done = loops.columnSums(x, shifts, runs, r0, rows, rowLength, first, width, w.staging, WINDOW);
                if (done < width) { // the rest through the table, its columns from t's first
                    if (firstBlock) {
                        repeat(w, shifts, runs, first + done, width - done, 0, loops);
                    }
                    Floats.zero(t, WINDOW, 2 * WINDOW);
                    addShifted(x, t, r0, rows, rowLength, first + done, width - done, loops);
                    stage(w, WINDOW, done, width);
                }
                addToChannels(w, runs, first, width, firstBlock, mean, m2, loops);
            }
        }
        ScalarBatchNormKernels.finishShiftedMoments(layout, x, c0, c1, shifts, mean, m2, w.products, loops);
    }

    /**
     * The shifts K of channels {@code [c0, c1)} of short runs: the first value of each channel's first run. (The
     * float mean of its first values, as longer runs take it, cost more than the rest of the moments' per-channel
     * work for runs of 9: summed eight channels side by side from a copy, 14 of the 95 µs of
     * {@code [8, 3584, 1, 9]} training forward at 512 bits against 2 for the first values; by vector loops, a gather
     * of each value for a register of channels, or loads of each next value compressed where runs start, as slow;
     * perf.)
     */
    private static void firstValues(ChannelLayout layout, MemorySegment x, int c0, int c1, float[] shifts) {
        for (int c = c0; c < c1; c++) {
            shifts[c] = get(x, layout.runStart(0, c));
        }
    }

    /**
     * The shifts K of an interleaved layout's window, to the table's first section and to {@code shifts}: the
     * sums of its first rows with a shift of zero, divided by their count, as
     * {@link ScalarBatchNormKernels#pilotMean} takes them.
     */
    private static void pilotMeans(ChannelLayout layout, MemorySegment x, long first, int width, Scratch w,
                                   float[] shifts, Loops loops) {
        long pilot = Math.min(layout.outer(), BatchNormKernels.PILOT_ROWS);
        Floats.zero(w.table, 0, 3 * WINDOW);
        addShifted(x, w.table, 0, pilot, layout.channels(), first, width, loops);
        MemorySegment.copy(w.table, Floats.LAYOUT, WINDOW * Float.BYTES, shifts, (int) first, width);
        for (int c = (int) first; c < first + width; c++) {
            shifts[c] /= pilot;
        }
        MemorySegment.copy(shifts, (int) first, w.table, Floats.LAYOUT, 0, width);
    }

    /** Rows {@code [r0, end)} of the window added to the table's sums of {@code x − K} and squares. */
    private static void addShifted(MemorySegment x, MemorySegment t, long r0, long end, long rowLength, long first,
                                   int width, Loops loops) {
        int done = loops.addShifted(x, t, WINDOW, r0, end, rowLength, first, width);
        for (long r = r0; r < end; r++) {
            for (int j = done; j < width; j++) {
                float d = get(x, r * rowLength + first + j) - get(t, j);
                set(t, WINDOW + j, get(t, WINDOW + j) + d);
                set(t, 2 * WINDOW + j, Math.fma(d, d, get(t, 2 * WINDOW + j)));
            }
        }
    }

    /**
     * {@link BatchNormKernels#gradientSums} of a layout of short runs or an interleaved layout: the sums, then dx
     * when given, in a second pass (dx may be x or dy).
     */
    public static void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                    double[] sumDy, double[] sumDyCentered, MemorySegment dx, float[] dyScale,
                                    Loops loops) {
        if (layout.planar()) {
            splitSums(layout, Parallel.shared(x, dy), (c0, c1) -> gradientSums(layout, x, dy, a, sumDy,
                    sumDyCentered, loops, (int) c0, (int) c1));
        } else {
            BlockSums.sum(layout.outer(), ROW_BLOCK, layout.channels(), Parallel.shared(x, dy),
                    (table, b0, b1) -> gradientBlockSums(layout, x, dy, a, table, loops, b0, b1), sumDy,
                    sumDyCentered);
        }
        if (dx != null) {
            splitElementwise(layout, Parallel.shared(x, dy, dx, null),
                    (c0, c1, r0, r1) -> scaleGradients(layout, x, dy, dx, a, dyScale, loops, c0, c1, r0, r1));
        }
    }

    /** The gradient sums of channels {@code [c0, c1)} of a layout of short runs. */
    private static void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                     double[] sumDy, double[] sumDyCentered, Loops loops, int c0, int c1) {
        long rowLength = rowLength(layout);
        int runs = layout.inner();
        Scratch w = SCRATCH.get().place(x, dy, null);
        MemorySegment t = w.table;
        for (long first = (long) c0 * runs, end = (long) c1 * runs; first < end; first += windowColumns(runs)) {
            int width = (int) Math.min(windowColumns(runs), end - first);
            repeatAffine(w, a, runs, first, width, loops);
            for (long r0 = 0; r0 < layout.outer(); r0 += ROW_BLOCK) {
                addGradients(x, dy, t, r0, Math.min(layout.outer(), r0 + ROW_BLOCK), rowLength, first, width,
                        a.relu(), loops);
                stage(w, 3 * WINDOW, 0, width);
                addToChannels(w, runs, first, width, r0 == 0, sumDy, sumDyCentered, loops);
            }
        }
    }

    /**
     * The gradient sums of row blocks {@code [b0, b1)} of every window of an interleaved layout, into their places
     * in the table, as {@link #interleavedMoments} takes the moments.
     */
    private static void gradientBlockSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                          float[] table, Loops loops, int b0, int b1) {
        int channels = layout.channels();
        Scratch w = SCRATCH.get().place(x, dy, null);
        for (long first = 0; first < channels; first += WINDOW) {
            int width = (int) Math.min(WINDOW, channels - first);
            repeatAffine(w, a, 1, first, width, loops);
            for (int b = b0; b < b1; b++) {
                long r0 = (long) b * ROW_BLOCK;
                addGradients(x, dy, w.table, r0, Math.min(layout.outer(), r0 + ROW_BLOCK), channels, first, width,
                        a.relu(), loops);
                toBlockSums(w.table, 3 * WINDOW, table, b, channels, first, width);
            }
        }
    }

    /** Rows {@code [r0, end)} of the window: float sums of dy' and dy'·(x − center) into the table, from zero. */
    private static void addGradients(MemorySegment x, MemorySegment dy, MemorySegment t, long r0, long end,
                                     long rowLength, long first, int width, boolean relu, Loops loops) {
        Floats.zero(t, 3 * WINDOW, 2 * WINDOW);
        int done = loops.addGradients(x, dy, t, WINDOW, r0, end, rowLength, first, width, relu);
        for (long r = r0; r < end; r++) {
            for (int j = done; j < width; j++) {
                long i = r * rowLength + first + j;
                float g = gated(x, dy, t, i, j, relu);
                set(t, 3 * WINDOW + j, get(t, 3 * WINDOW + j) + g);
                set(t, 4 * WINDOW + j, Math.fma(g, get(x, i) - get(t, j), get(t, 4 * WINDOW + j)));
            }
        }
    }

    /** dx of inference backward over channels {@code [c0, c1)} of rows {@code [r0, r1)}, after the sums. */
    private static void scaleGradients(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                       ChannelAffine a, float[] dyScale, Loops loops, int c0, int c1, long r0,
                                       long r1) {
        Scratch w = SCRATCH.get().place(x, dy, dx);
        MemorySegment t = w.table;
        long rowLength = rowLength(layout);
        for (long first = (long) c0 * layout.inner(), end = (long) c1 * layout.inner(); first < end; first += WINDOW) {
            int width = (int) Math.min(WINDOW, end - first);
            repeatAffine(w, a, layout.inner(), first, width, loops);
            repeat(w, dyScale, layout.inner(), first, width, 3 * WINDOW, loops);
            int done = loops.scaleGradients(x, dy, dx, t, WINDOW, r1 - r0, rowLength, r0 * rowLength + first, width,
                    a.relu());
            for (long r = r0; r < r1; r++) {
                for (int j = done; j < width; j++) {
                    long i = r * rowLength + first + j;
                    set(dx, i, ScalarBatchNormKernels.scaledGradient(gated(x, dy, t, i, j, a.relu()),
                            get(t, 3 * WINDOW + j)));
                }
            }
        }
    }

    /** {@link BatchNormKernels#normalize} of a layout of short runs or an interleaved layout. */
    public static void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a,
                                 Loops loops) {
        splitElementwise(layout, Parallel.shared(x, y),
                (c0, c1, r0, r1) -> normalize(layout, x, y, a, loops, c0, c1, r0, r1));
    }

    private static void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a,
                                  Loops loops, int c0, int c1, long r0, long r1) {
        long rowLength = rowLength(layout);
        long start = (long) c0 * layout.inner(), end = (long) c1 * layout.inner();
        if (r0 == 0) {
            // planar layouts, whose short runs the provider may take, come in parts of every row; in one sweep of
            // the part's columns, not window by window: runs of two registers at 128 bits, eight rows 128 KiB
            // apart, took 36 µs in windows of 1024 columns and 28 in one sweep (a toy of the provider's loop)
            start += loops.normalizeColumns(x, y, a, layout.inner(), r1, rowLength, start,
                    (int) Math.min(end - start, Integer.MAX_VALUE & -WINDOW));
        }
        Scratch w = SCRATCH.get().place(x, y, null);
        MemorySegment t = w.table;
        // the rest through the table, from the last window: training forward's moments read it last, so its rows
        // come from L2 ([64, 4096] at 256 bits 140.1 -> 135.8 µs, channels-last [8, 8, 4096] 140.8 -> 134.9, three
        // rounds of JMH alternating; within the noise at 128 and 512 bits)
        for (long first = lastWindow(start, end); first >= start && first < end; first -= WINDOW) {
            int width = (int) Math.min(WINDOW, end - first);
            repeatAffine(w, a, layout.inner(), first, width, loops);
            int done = loops.normalize(x, y, t, WINDOW, r1 - r0, rowLength, r0 * rowLength + first, width, a.relu());
            for (long r = r0; r < r1; r++) {
                for (int j = done; j < width; j++) {
                    long i = r * rowLength + first + j;
                    set(y, i, ScalarBatchNormKernels.normalized(get(x, i), get(t, j), get(t, WINDOW + j),
                            get(t, 2 * WINDOW + j), a.relu()));
                }
            }
        }
    }

    /** {@link BatchNormKernels#inputGradient} of a layout of short runs or an interleaved layout. */
    public static void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                     ChannelAffine a, float[] dyScale, float[] xScale, float[] bias,
                                     Loops loops) {
        splitElementwise(layout, Parallel.shared(x, dy, dx, null), (c0, c1, r0, r1) ->
                inputGradient(layout, x, dy, dx, a, dyScale, xScale, bias, loops, c0, c1, r0, r1));
    }

    private static void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                      ChannelAffine a, float[] dyScale, float[] xScale, float[] bias, Loops loops,
                                      int c0, int c1, long r0, long r1) {
        long rowLength = rowLength(layout);
        int runs = layout.inner();
        Scratch w = SCRATCH.get().place(x, dy, dx);
        MemorySegment t = w.table;
        // from the last window and row: the gradient sums read those last, so the first come from L2
        // ([256, 1024] training backward 60-63 -> 55-59 µs, measured)
        long start = (long) c0 * runs, end = (long) c1 * runs;
        for (long first = lastWindow(start, end); first >= start; first -= WINDOW) {
            int width = (int) Math.min(WINDOW, end - first);
            repeatAffine(w, a, runs, first, width, loops);
            repeat(w, dyScale, runs, first, width, 3 * WINDOW, loops);
            repeat(w, xScale, runs, first, width, 4 * WINDOW, loops);
            repeat(w, bias, runs, first, width, 5 * WINDOW, loops);
            int done = loops.inputGradient(x, dy, dx, t, WINDOW, r1 - r0, rowLength, r0 * rowLength + first, width,
                    a.relu());
            for (long r = r0; r < r1; r++) {
                for (int j = done; j < width; j++) {
                    long i = r * rowLength + first + j;
                    set(dx, i, ScalarBatchNormKernels.inputGradient(get(x, i), get(dy, i), get(t, j),
                            get(t, WINDOW + j), get(t, 2 * WINDOW + j), a.relu(), get(t, 3 * WINDOW + j),
                            get(t, 4 * WINDOW + j), get(t, 5 * WINDOW + j)));
                }
            }
        }
    }

    /** dy' of element i, column j of the window: dy with the ReLU's gradient, by the table's affine map. */
    private static float gated(MemorySegment x, MemorySegment dy, MemorySegment t, long i, int j, boolean relu) {
        return ScalarBatchNormKernels.gated(get(dy, i), get(x, i), get(t, j), get(t, WINDOW + j),
                get(t, 2 * WINDOW + j), relu);
    }

    /** The first column of the last window of columns {@code [start, end)} (start itself for none). */
    private static long lastWindow(long start, long end) {
        return start + (end - start - 1) / WINDOW * WINDOW;
    }

    /** Channels {@code [c0, c1)} of rows {@code [r0, r1)} of a call. */
    @FunctionalInterface
    private interface Region {
        void run(int c0, int c1, long r0, long r1);
    }

    /**
     * The sums of a layout of short runs, split over threads by whole channels, of at least
     * {@link Parallel#ELEMENTWISE_PART} values a part: no channel's sums cross a part, so each computes what one
     * thread does. (Interleaved layouts split theirs by blocks of rows: by columns, each thread read part of
     * every row, and {@code [256, 1024]} training forward took 33 µs on one thread and 47 on two; harness.)
     */
    private static void splitSums(ChannelLayout layout, boolean shared, Parallel.Part channels) {
        Parallel.run(layout.channels(), 1, channelsPerPart(layout), shared, channels);
    }

    /**
     * An element-wise pass of a call: split as {@link #splitSums}, an interleaved layout by rows, parts of at
     * least 2^18 values (each part repeats the windows' coefficient tables: {@code [64, 4096]} training forward,
     * its normalize in two parts of 2^17, took 56 µs against 49 on one thread; harness).
     */
    private static void splitElementwise(ChannelLayout layout, boolean shared, Region pass) {
        if (layout.planar()) {
            Parallel.run(layout.channels(), 1, channelsPerPart(layout), shared,
                    (c0, c1) -> pass.run((int) c0, (int) c1, 0, layout.outer()));
            return;
        }
        long rowsPerPart = Math.max(1, 4 * Parallel.ELEMENTWISE_PART / layout.channels());
        Parallel.run(layout.outer(), 1, rowsPerPart, shared, (r0, r1) -> pass.run(0, layout.channels(), r0, r1));
    }

    /** Channels per part of a planar layout split by channels, at least: {@link Parallel#ELEMENTWISE_PART} values. */
    public static long channelsPerPart(ChannelLayout layout) {
        return Math.max(1, Parallel.ELEMENTWISE_PART / Math.max(1, layout.count()));
    }

    private static long rowLength(ChannelLayout layout) {
        return (long) layout.channels() * layout.inner();
    }


    /** Sections 0-2 of t: the affine map's center, scale and shift of the window's columns. */
    private static void repeatAffine(Scratch w, ChannelAffine a, int runs, long first, int width, Loops loops) {
        repeat(w, a.center(), runs, first, width, 0, loops);
        repeat(w, a.scale(), runs, first, width, WINDOW, loops);
        repeat(w, a.shift(), runs, first, width, 2 * WINDOW, loops);
    }

    /**
     * Floats {@code [at, at + width)} of t: each column's channel's value, columns from first; the provider's
     * loops take the whole runs they can (a value at a time this took 38% of {@code [8, 4096, 1, 8]} training and
     * inference forward at 512 bits, JFR), straight into t.
     */
    private static void repeat(Scratch w, float[] perChannel, int runs, long first, int width, long at,
                               Loops loops) {
        MemorySegment t = w.table;
        if (runs == 1) {
            MemorySegment.copy(perChannel, (int) first, t, Floats.LAYOUT, at * Float.BYTES, width);
            return;
        }
        int c = (int) (first / runs);
        int s = (int) (first % runs);
        int j = 0;
        if (s != 0) { // the rest of the channel the last window ended in
            for (; j < width && s < runs; j++, s++) {
                set(t, at + j, perChannel[c]);
            }
            c++;
        }
        if (j < width) {
            int done = loops.repeat(perChannel, runs, c, width - j, t, at + j);
            j += done;
            c += done / runs;
        }
        for (s = 0; j < width; j++) {
            set(t, at + j, perChannel[c]);
            if (++s == runs) {
                s = 0;
                c++;
            }
        }
    }

    /**
     * Two sections of t from float {@code sums}, a block's float sums of the window's columns {@code [from, width)}
     * (column {@code from} at each section's first float), to their places in staging.
     */
    private static void stage(Scratch w, long sums, int from, int width) {
        for (int section = 0; section < 2; section++) {
            MemorySegment.copy(w.table, Floats.LAYOUT, (sums + (long) section * WINDOW) * Float.BYTES, w.staging,
                    section * WINDOW + from, width - from);
        }
    }

    /**
     * Columns of a window of the sums of short runs: whole channels, so that a block's channel sums end in it, and
     * where they fit, whole periods of runs and of 16 columns, which every register's width divides, so that a
     * provider's loops may take the whole window.
     */
    private static int windowColumns(int runs) {
        int period = runs / Math.min(Integer.lowestOneBit(runs), 16) * 16; // the least common multiple
        return period <= WINDOW ? WINDOW / period * period : WINDOW / runs * runs;
    }

    /**
     * A block's float sums of the window's columns, in staging, to its channels' block sums, added in float64 to
     * their totals (set to zero at the first block): the provider's loop takes the channels it can, the rest a
     * channel at a time.
     */
    private static void addToChannels(Scratch w, int runs, long first, int width, boolean firstBlock, double[] sums,
                                      double[] secondSums, Loops loops) {
        float[] blockSums = w.staging;
        int channel = (int) (first / runs);
        int channels = width / runs;
        if (firstBlock) {
            Arrays.fill(sums, channel, channel + channels, 0);
            Arrays.fill(secondSums, channel, channel + channels, 0);
        }
        for (int k = loops.addToChannels(blockSums, WINDOW, runs, channel, channels, sums, secondSums);
             k < channels; k++) {
            sums[channel + k] += channelSum(blockSums, k * runs, runs);
            secondSums[channel + k] += channelSum(blockSums, WINDOW + k * runs, runs);
        }
    }

    /**
     * A channel's block sum from its columns' float sums from {@code blockSums[from]}: column s to partial
     * {@code s mod 4} in order from zero, then {@code (p0 + p1) + (p2 + p3)}.
     */
    private static float channelSum(float[] blockSums, int from, int runs) {
        float p0 = 0, p1 = 0, p2 = 0, p3 = 0;
        int s = 0;
        for (; s + 4 <= runs; s += 4) {
            p0 += blockSums[from + s];
            p1 += blockSums[from + s + 1];
            p2 += blockSums[from + s + 2];
            p3 += blockSums[from + s + 3];
        }
        if (s < runs) {
            p0 += blockSums[from + s];
        }
        if (s + 1 < runs) {
            p1 += blockSums[from + s + 1];
        }
        if (s + 2 < runs) {
            p2 += blockSums[from + s + 2];
        }
        return (p0 + p1) + (p2 + p3);
    }
}
