package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/**
 * Scalar batch-norm kernels, summing in the order {@link BatchNormKernels} fixes. The static element, range
 * and channel methods are also the vector kernels' tails, so those elements get the same bits on both paths.
 */
public final class ScalarBatchNormKernels implements BatchNormKernels {

    /** The forward map of one value. */
    public static float normalized(float x, float center, float scale, float shift, boolean relu) {
        float y = Math.fma(x - center, scale, shift);
        return relu ? Math.max(y, 0f) : y;
    }

    /** dy with the ReLU's gradient applied: 0 where the forward value before the ReLU was {@code <= 0}. */
    public static float gated(float dy, float x, float center, float scale, float shift, boolean relu) {
        return relu && Math.fma(x - center, scale, shift) <= 0 ? 0f : dy;
    }

    /** {@code y = f((x − center)·scale + shift)} for elements {@code [from, to)} of one run of channel c. */
    public static void normalizeRange(MemorySegment x, MemorySegment y, long from, long to, float center, float scale,
                                      float shift, boolean relu) {
        for (int k = 0, count = (int) (to - from); k < count; k++) {
            long i = from + k;
            set(y, i, normalized(get(x, i), center, scale, shift, relu));
        }
    }

    /** The input gradient of one value. */
    public static float inputGradient(float x, float dy, float center, float scale, float shift, boolean relu,
                                      float dyScale, float xScale, float bias) {
        return Math.fma(x - center, xScale, Math.fma(gated(dy, x, center, scale, shift, relu), dyScale, bias));
    }

    public static void inputGradientRange(MemorySegment x, MemorySegment dy, MemorySegment dx, long from, long to,
                                          int c, ChannelAffine a, float[] dyScale, float[] xScale, float[] bias) {
        for (int k = 0, count = (int) (to - from); k < count; k++) {
            long i = from + k;
            set(dx, i, inputGradient(get(x, i), get(dy, i), a.center()[c], a.scale()[c], a.shift()[c], a.relu(),
                    dyScale[c], xScale[c], bias[c]));
        }
    }

    /**
     * The moments of an interleaved layout of short rows in the order of {@link ShortRows}, the whole periods
     * of each block added by the provider's loop, the rest here.
     */
    public static void shortRowMoments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2,
                                       ShortRows.WholePeriods periods) {
        int channels = layout.channels();
        long rows = layout.outer();
        long blockRows = ShortRows.blockRows(channels);
        float[] shifts = ShortRows.table();
        for (int c = 0; c < channels; c++) {
            shifts[c] = pilotMean(layout, x, c);
        }
        ShortRows.extend(shifts, channels, ShortRows.SHIFTS);
        BlockSums.sum(rows, blockRows, channels, Parallel.shared(x), (table, b0, b1) -> {
            float[] t = ShortRows.table();
            if (t != shifts) {
                ShortRows.repeat(shifts, channels, t, ShortRows.SHIFTS);
            }
            for (int b = b0; b < b1; b++) {
                long r0 = b * blockRows, end = Math.min(rows, r0 + blockRows);
                ShortRows.clear(t, channels, ShortRows.SUMS);
                ShortRows.clear(t, channels, ShortRows.SQUARES);
                addShiftedRows(x, periods.addShifted(x, r0, end, channels, t), end, channels, t);
                ShortRows.halve(t, channels, ShortRows.SUMS, table, BlockSums.first(b, channels));
                ShortRows.halve(t, channels, ShortRows.SQUARES, table, BlockSums.second(b, channels));
            }
        }, mean, m2);
        for (int c = 0; c < channels; c++) {
            finishShiftedMoments(layout, x, c, shifts[c], mean, m2);
        }
    }

    /** Adds rows {@code [from, to)} of short rows to the partials of the table, as {@link ShortRows.WholePeriods#addShifted}. */
    private static void addShiftedRows(MemorySegment x, long from, long to, int channels, float[] t) {
        int period = ShortRows.period(channels);
        int partials = ShortRows.partialsPerChannel(channels);
        for (long r = from; r < to; r++) {
            int sum = ShortRows.SUMS * period + (int) (r % partials) * channels;
            int square = sum + period;
            for (int c = 0; c < channels; c++) {
                float d = get(x, r * channels + c) - t[c];
                t[sum + c] += d;
                t[square + c] = Math.fma(d, d, t[square + c]);
            }
        }
    }

    /**
     * The gradient sums of an interleaved layout of short rows in the order of {@link ShortRows}, and dx when
     * given, as {@link #gradientSums}; the whole periods of each block by the provider's loop.
     */
    public static void shortRowGradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                            double[] sumDy, double[] sumDyCentered, MemorySegment dx,
                                            float[] dyScale, ShortRows.WholePeriods periods) {
        int channels = layout.channels();
        long rows = layout.outer();
        long blockRows = ShortRows.blockRows(channels);
        BlockSums.sum(rows, blockRows, channels, Parallel.shared(x, dy, dx, null), (table, b0, b1) -> {
            float[] t = ShortRows.table();
            ShortRows.repeat(a.center(), channels, t, ShortRows.CENTER);
            ShortRows.repeat(a.scale(), channels, t, ShortRows.SCALE);
            ShortRows.repeat(a.shift(), channels, t, ShortRows.SHIFT);
            if (dx != null) {
                ShortRows.repeat(dyScale, channels, t, ShortRows.DY_SCALE);
            }
            for (int b = b0; b < b1; b++) {
                long r0 = b * blockRows, end = Math.min(rows, r0 + blockRows);
                ShortRows.clear(t, channels, ShortRows.DY_SUMS);
                ShortRows.clear(t, channels, ShortRows.CENTERED_SUMS);
                long rest = periods.addGradients(x, dy, r0, end, channels, t, a.relu(), dx);
                addGradientRows(x, dy, rest, end, channels, t, a.relu(), dx);
                ShortRows.halve(t, channels, ShortRows.DY_SUMS, table, BlockSums.first(b, channels));
                ShortRows.halve(t, channels, ShortRows.CENTERED_SUMS, table, BlockSums.second(b, channels));
            }
        }, sumDy, sumDyCentered);
    }

    /** Adds rows {@code [from, to)} of short rows to the table, as {@link ShortRows.WholePeriods#addGradients}. */
    private static void addGradientRows(MemorySegment x, MemorySegment dy, long from, long to, int channels, float[] t,
                                        boolean relu, MemorySegment dx) {
        int period = ShortRows.period(channels);
        int partials = ShortRows.partialsPerChannel(channels);
        for (long r = from; r < to; r++) {
            int sum = ShortRows.DY_SUMS * period + (int) (r % partials) * channels;
            int centered = sum + period;
            for (int c = 0; c < channels; c++) {
                long i = r * channels + c;
                float xi = get(x, i); // read before dx is written: dx may be x
                float center = t[ShortRows.CENTER * period + c];
                float g = gated(get(dy, i), xi, center, t[ShortRows.SCALE * period + c],
                        t[ShortRows.SHIFT * period + c], relu);
                t[sum + c] += g;
                t[centered + c] = Math.fma(g, xi - center, t[centered + c]);
                if (dx != null) {
                    set(dx, i, scaledGradient(g, t[ShortRows.DY_SCALE * period + c]));
                }
            }
        }
    }

    /** The moments of channels {@code [c0, c1)}, in the order of {@link BatchNormKernels}. */
    public static void momentsOfChannels(ChannelLayout layout, MemorySegment x, int c0, int c1, double[] mean,
                                         double[] m2) {
        Arrays.fill(mean, c0, c1, 0);
        Arrays.fill(m2, c0, c1, 0);
        float[] p = SumOrder.scratch();
        for (int c = c0; c < c1; c++) {
            float shift = pilotMean(layout, x, c);
            if (layout.planar()) {
                for (long o = 0; o < layout.outer(); o++) {
                    addShiftedRunSums(x, layout.runStart(o, c), layout.inner(), shift, mean, m2, c, p);
                }
            } else {
                addShiftedColumnSums(layout, x, c, shift, mean, m2);
            }
            finishShiftedMoments(layout, x, c, shift, mean, m2);
        }
    }

    /** K of channel c: the float mean of its first {@link #PILOT_ROWS} rows or run values, added in order. */
    public static float pilotMean(ChannelLayout layout, MemorySegment x, int c) {
        long stride = layout.planar() ? 1 : layout.channels();
        long count = Math.min(layout.planar() ? layout.inner() : layout.outer(), PILOT_ROWS);
        long first = layout.runStart(0, c);
        float sum = 0;
        for (long r = 0; r < count; r++) {
            sum += get(x, first + r * stride);
        }
        return sum / count;
    }

    private static void addShiftedColumnSums(ChannelLayout layout, MemorySegment x, int c, float shift,
                                             double[] sums, double[] squares) {
        long rows = layout.outer();
        int channels = layout.channels();
        for (long r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
            float s = 0;
            float q = 0;
            for (long r = r0, end = Math.min(rows, r0 + ROW_BLOCK); r < end; r++) {
                float d = get(x, r * channels + c) - shift;
                s += d;
                q = Math.fma(d, d, q);
            }
            sums[c] += s;
            squares[c] += q;
        }
    }

    private static void addShiftedRunSums(MemorySegment x, long runStart, int inner, float shift, double[] sums,
                                          double[] squares, int c, float[] p) {
        for (long from = runStart, end = runStart + inner; from < end; from += RUN_BLOCK) {
            Arrays.fill(p, 0f);
            addShiftedGroups(x, from, from, Math.min(end, from + RUN_BLOCK), shift, p);
            sums[c] += SumOrder.total(p, 0);
            squares[c] += SumOrder.total(p, SumOrder.PARTIALS);
        }
    }

    /**
     * Adds the folded {@code x − shift} of {@code [from, to)}, half groups of a block from blockStart, to {@code p[0..32)} and their folded
     * squares to {@code p[32..64)}, in {@link SumOrder}'s order; the vector kernels' short last group.
     */
    public static void addShiftedGroups(MemorySegment x, long blockStart, long from, long to, float shift,
                                        float[] p) {
        for (long h = from; h < to; h += SumOrder.HALF) {
            int count = (int) Math.min(SumOrder.HALF, to - h);
            Arrays.fill(p, SumOrder.TERMS + count, SumOrder.TERMS + SumOrder.HALF, 0f);
            for (int r = 0; r < count; r++) {
                p[SumOrder.TERMS + r] = get(x, h + r) - shift;
            }
            int partial = SumOrder.partialsOfHalf(blockStart, h);
            SumOrder.addFolded(p, partial, SumOrder.TERMS);
            SumOrder.addFoldedProducts(p, SumOrder.PARTIALS + partial, SumOrder.TERMS, SumOrder.TERMS);
        }
    }

    /**
     * Channel c's mean and M2 from its shifted sums, held in mean[c] and m2[c], and its shift K; recomputed
     * exactly when the cancellation exceeds {@link #SHIFT_TOLERANCE}.
     */
    public static void finishShiftedMoments(ChannelLayout layout, MemorySegment x, int c, float shift,
                                            double[] mean, double[] m2) {
        double sum = mean[c];
        double shiftedMean = sum / layout.count();
        m2[c] -= sum * shiftedMean;
        mean[c] = shift + shiftedMean;
        if (sum * shiftedMean > SHIFT_TOLERANCE * m2[c] || m2[c] < 0) {
            exactMoments(layout, x, c, mean, m2);
        }
    }

    /**
     * {@link #finishShiftedMoments} of channels {@code [c0, c1)}, a chunk of up to products' length at a time: the
     * first pass by the provider's loop ({@link ColumnWindows.Loops#centerShiftedMoments}), which keeps each
     * {@code sum·shiftedMean} in products and counts the channels that fail the tolerance; then those channels found
     * again and taken exactly.
     */
    public static void finishShiftedMoments(ChannelLayout layout, MemorySegment x, int c0, int c1, float[] shifts,
                                            double[] mean, double[] m2, double[] products, ColumnWindows.Loops loops) {
        double count = layout.count();
        for (int from = c0; from < c1; from += products.length) {
            int to = Math.min(c1, from + products.length);
            int failing = loops.centerShiftedMoments(count, from, to, shifts, mean, m2, products);
            for (int c = from; failing > 0 && c < to; c++) {
                if (products[c - from] > SHIFT_TOLERANCE * m2[c] || m2[c] < 0) {
                    exactMoments(layout, x, c, mean, m2);
                    failing--;
                }
            }
        }
    }

    /**
     * The first pass of {@link #finishShiftedMoments} over channels {@code [from, to)} of the chunk from channel
     * chunk (product of channel c at {@code products[c − chunk]}): one loop of doubles alone, then the shifts added
     * in a loop of their own, which C2 vectorizes; returns how many channels fail the tolerance. A channel at a time,
     * its division waited on: 8.5 µs for 4096 channels, against 4.4 (harness); C2 still divides a channel at a time
     * by the count (multiplies, where the count is a power of two: {@code Counts}), which the vector provider's loop
     * does not.
     */
    public static int centerShiftedMoments(double count, int chunk, int from, int to, float[] shifts, double[] mean,
                                           double[] m2, double[] products) {
        int failing = 0;
        double inverse = Counts.exactInverse((long) count);
        for (int c = from; c < to; c++) {
            double sum = mean[c];
            double shiftedMean = Counts.divide(sum, (long) count, inverse);
            double product = sum * shiftedMean;
            double centered = m2[c] - product;
            products[c - chunk] = product;
            m2[c] = centered;
            mean[c] = shiftedMean;
            failing += product > SHIFT_TOLERANCE * centered | centered < 0 ? 1 : 0;
        }
        for (int c = from; c < to; c++) {
            mean[c] += shifts[c];
        }
        return failing;
    }

    /** Two passes in float64 over channel c: the mean, then the squared deviations from it. */
    private static void exactMoments(ChannelLayout layout, MemorySegment x, int c, double[] mean, double[] m2) {
        double sum = 0;
        for (long o = 0; o < layout.outer(); o++) {
            long start = layout.runStart(o, c);
            for (int k = 0, inner = layout.inner(); k < inner; k++) {
                sum += get(x, start + k);
            }
        }
        double average = sum / layout.count();
        double squares = 0;
        for (long o = 0; o < layout.outer(); o++) {
            long start = layout.runStart(o, c);
            for (int k = 0, inner = layout.inner(); k < inner; k++) {
                double d = get(x, start + k) - average;
                squares += d * d;
            }
        }
        mean[c] = average;
        m2[c] = squares;
    }

    /**
     * The gradient sums of channels {@code [c0, C)} in the order of {@link BatchNormKernels}, and dx when
     * given, as {@link #gradientSums}.
     */
    public static void gradientSumsOfChannels(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                              int c0, double[] sumDy, double[] sumDyCentered, MemorySegment dx,
                                              float[] dyScale) {
        int channels = layout.channels();
        Arrays.fill(sumDy, c0, channels, 0);
        Arrays.fill(sumDyCentered, c0, channels, 0);
        float[] p = SumOrder.scratch();
        for (int c = c0; c < channels; c++) {
            float gradientScale = dx == null ? 0f : dyScale[c];
            if (!layout.planar()) {
                addColumnGradientSums(layout, x, dy, a, c, sumDy, sumDyCentered, dx, gradientScale);
                continue;
            }
            for (long o = 0; o < layout.outer(); o++) {
                long start = layout.runStart(o, c);
                for (long from = start, end = start + layout.inner(); from < end; from += RUN_BLOCK) {
                    Arrays.fill(p, 0f);
                    addGradientGroups(x, dy, from, from, Math.min(end, from + RUN_BLOCK), a, c, p, dx,
                            gradientScale);
                    sumDy[c] += SumOrder.total(p, 0);
                    sumDyCentered[c] += SumOrder.total(p, SumOrder.PARTIALS);
                }
            }
        }
    }

    private static void addColumnGradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                              int c, double[] sumDy, double[] sumDyCentered, MemorySegment dx,
                                              float gradientScale) {
        long rows = layout.outer();
        int channels = layout.channels();
        float center = a.center()[c];
        for (long r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
            float s = 0;
            float sc = 0;
            for (long r = r0, end = Math.min(rows, r0 + ROW_BLOCK); r < end; r++) {
                long i = r * channels + c;
                float xi = get(x, i);
                float g = gated(get(dy, i), xi, center, a.scale()[c], a.shift()[c], a.relu());
                s += g;
                sc = Math.fma(g, xi - center, sc);
                if (dx != null) {
                    set(dx, i, scaledGradient(g, gradientScale));
                }
            }
            sumDy[c] += s;
            sumDyCentered[c] += sc;
        }
    }

    /**
     * Adds the folded {@code dy'} of {@code [from, to)}, half groups of a block from blockStart of a run of channel c, to {@code p[0..32)}
     * and the folded {@code dy'·(x − center)} to {@code p[32..64)}, in {@link SumOrder}'s order, writing
     * {@code dx = dy'·gradientScale} when dx is given; the vector kernels' short last group. Positions past
     * the end count as dy' = 0 and x = center.
     */
    public static void addGradientGroups(MemorySegment x, MemorySegment dy, long blockStart, long from, long to,
                                         ChannelAffine a, int c, float[] p, MemorySegment dx, float gradientScale) {
        float center = a.center()[c];
        int gated = SumOrder.TERMS;
        int centered = SumOrder.TERMS + SumOrder.HALF;
        for (long h = from; h < to; h += SumOrder.HALF) {
            int count = (int) Math.min(SumOrder.HALF, to - h);
            Arrays.fill(p, gated + count, gated + SumOrder.HALF, 0f);
            Arrays.fill(p, centered + count, centered + SumOrder.HALF, 0f);
            for (int r = 0; r < count; r++) {
                long i = h + r;
                float xi = get(x, i); // read before dx is written: dx may be x
                float g = gated(get(dy, i), xi, center, a.scale()[c], a.shift()[c], a.relu());
                p[gated + r] = g;
                p[centered + r] = xi - center;
                if (dx != null) {
                    set(dx, i, scaledGradient(g, gradientScale));
                }
            }
            int partial = SumOrder.partialsOfHalf(blockStart, h);
            SumOrder.addFolded(p, partial, gated);
            SumOrder.addFoldedProducts(p, SumOrder.PARTIALS + partial, gated, centered);
        }
    }

    /** dx of inference backward from dy': {@code dy'·dyScale}, as {@code fma(dy', dyScale, 0)}. */
    public static float scaledGradient(float gatedDy, float dyScale) {
        return Math.fma(gatedDy, dyScale, 0f);
    }

    @Override
    public void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.moments(layout, x, mean, m2, ColumnWindows.Loops.NONE);
            return;
        }
        if (ShortRows.of(layout)) {
            shortRowMoments(layout, x, mean, m2, ShortRows.WholePeriods.NONE);
            return;
        }
        momentsOfChannels(layout, x, 0, layout.channels(), mean, m2);
    }

    @Override
    public void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.normalize(layout, x, y, a, ColumnWindows.Loops.NONE);
            return;
        }
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = 0; c < layout.channels(); c++) {
                long start = layout.runStart(o, c);
                normalizeRange(x, y, start, start + layout.inner(), a.center()[c], a.scale()[c], a.shift()[c],
                        a.relu());
            }
        }
    }

    @Override
    public void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine affine,
                             double[] sumDy, double[] sumDyCentered, MemorySegment dx, float[] dyScale) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.gradientSums(layout, x, dy, affine, sumDy, sumDyCentered, dx, dyScale,
                    ColumnWindows.Loops.NONE);
            return;
        }
        if (ShortRows.of(layout)) {
            shortRowGradientSums(layout, x, dy, affine, sumDy, sumDyCentered, dx, dyScale,
                    ShortRows.WholePeriods.NONE);
            return;
        }
        gradientSumsOfChannels(layout, x, dy, affine, 0, sumDy, sumDyCentered, dx, dyScale);
    }

    @Override
    public void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                              ChannelAffine affine, float[] dyScale, float[] xScale, float[] bias) {
        if (ColumnWindows.shortRuns(layout)) {
            ColumnWindows.inputGradient(layout, x, dy, dx, affine, dyScale, xScale, bias, ColumnWindows.Loops.NONE);
            return;
        }
        for (long o = 0; o < layout.outer(); o++) {
            for (int c = 0; c < layout.channels(); c++) {
                long start = layout.runStart(o, c);
                inputGradientRange(x, dy, dx, start, start + layout.inner(), c, affine, dyScale, xScale, bias);
            }
        }
    }
}
