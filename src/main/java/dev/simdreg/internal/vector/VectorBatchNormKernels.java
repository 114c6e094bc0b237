package dev.simdreg.internal.vector;

import dev.simdreg.internal.BatchNormKernels;
import dev.simdreg.internal.ChannelAffine;
import dev.simdreg.internal.ChannelLayout;
import dev.simdreg.internal.ScalarBatchNormKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.vector.Species.DOUBLES;
import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.load;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.splat;
import static dev.simdreg.internal.vector.Species.store;
import static dev.simdreg.internal.vector.Species.widen;

/**
 * Vector batch-norm kernels. Interleaved layouts are processed a column of LANES channels at a time,
 * the lanes being channels; planar layouts a channel run at a time. The moments read x from memory once:
 * each block of values is summed, then its deviations from the block's float mean are summed while the
 * block is in L1 (the corrected two-pass algorithm, exact to rounding whatever the mean), and the blocks
 * are merged in float64 by Chan's formula. Element-wise results equal the scalar kernels' bit for bit.
 */
final class VectorBatchNormKernels implements BatchNormKernels {

    /** Rows per block of an interleaved column: 16 KiB at 512 bits, so the second pass reads L1. */
    private static final int ROW_BLOCK = 256;
    /** Floats per block of a planar run: 16 KiB. */
    private static final int RUN_BLOCK = 4096;
    private static final int HALF = LANES / 2;

    @Override
    public void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
        if (layout.planar()) {
            for (int c = 0; c < layout.channels(); c++) {
                runMoments(layout, x, c, mean, m2);
            }
            return;
        }
        int vectorChannels = layout.channels() & -LANES;
        for (int c0 = 0; c0 < vectorChannels; c0 += LANES) {
            columnMoments(x, layout.outer(), layout.channels(), c0, mean, m2);
        }
        ScalarBatchNormKernels.momentsOfChannels(layout, x, vectorChannels, mean, m2);
    }

    /** The moments of the LANES channels from c0 of an interleaved layout; lane j is channel c0 + j. */
    private static void columnMoments(MemorySegment x, long rows, int channels, int c0, double[] mean, double[] m2) {
        Arrays.fill(mean, c0, c0 + LANES, 0);
        Arrays.fill(m2, c0, c0 + LANES, 0);
        long count = 0;
        for (long r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
            int b = (int) Math.min(ROW_BLOCK, rows - r0);
            long start = r0 * channels + c0;
            FloatVector blockMean = columnSum(x, start, channels, b).div(b);
            FloatVector deviations0 = FloatVector.zero(FLOATS);
            FloatVector deviations1 = deviations0;
            FloatVector squares0 = deviations0;
            FloatVector squares1 = deviations0;
            int k = 0;
            for (; k + 2 <= b; k += 2) {
                FloatVector d0 = load(x, start + (long) k * channels).sub(blockMean);
                FloatVector d1 = load(x, start + (long) (k + 1) * channels).sub(blockMean);
                deviations0 = deviations0.add(d0);
                deviations1 = deviations1.add(d1);
                squares0 = d0.fma(d0, squares0);
                squares1 = d1.fma(d1, squares1);
            }
            if (k < b) {
                FloatVector d = load(x, start + (long) k * channels).sub(blockMean);
                deviations0 = deviations0.add(d);
                squares0 = d.fma(d, squares0);
            }
            FloatVector deviations = deviations0.add(deviations1);
            FloatVector squares = squares0.add(squares1);
            mergeHalf(blockMean, deviations, squares, 0, b, count, mean, m2, c0);
            mergeHalf(blockMean, deviations, squares, 1, b, count, mean, m2, c0 + HALF);
            count += b;
        }
    }

    /** Σ of b rows of one column from start, four rows at a time into independent accumulators. */
    private static FloatVector columnSum(MemorySegment x, long start, int channels, int b) {
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int k = 0;
        for (; k + 4 <= b; k += 4) {
            long row = start + (long) k * channels;
            s0 = s0.add(load(x, row));
            s1 = s1.add(load(x, row + channels));
            s2 = s2.add(load(x, row + 2L * channels));
            s3 = s3.add(load(x, row + 3L * channels));
        }
        for (; k < b; k++) {
            s0 = s0.add(load(x, start + (long) k * channels));
        }
        return s0.add(s1).add(s2.add(s3));
    }

    /**
     * Merges one half of a block's lanes (b values each, their float mean, and the sums of deviations and
     * squared deviations from it) into the float64 moments of count values, by Chan's formula.
     */
    private static void mergeHalf(FloatVector blockMean, FloatVector deviations, FloatVector squares, int part, int b,
                                  long count, double[] mean, double[] m2, int c) {
        double total = count + b;
        DoubleVector dev = widen(deviations, part);
        DoubleVector partMean = widen(blockMean, part).add(dev.div(b));
        DoubleVector partM2 = widen(squares, part).sub(dev.mul(dev).div(b));
        DoubleVector runningMean = DoubleVector.fromArray(DOUBLES, mean, c);
        DoubleVector delta = partMean.sub(runningMean);
        runningMean.add(delta.mul(b / total)).intoArray(mean, c);
        DoubleVector.fromArray(DOUBLES, m2, c).add(partM2).add(delta.mul(delta).mul(count * (b / total)))
                .intoArray(m2, c);
    }

    /** The moments of channel c of a planar layout, a block of its runs at a time. */
    private static void runMoments(ChannelLayout layout, MemorySegment x, int c, double[] mean, double[] m2) {
        double runningMean = 0;
        double runningM2 = 0;
        long count = 0;
        for (long o = 0; o < layout.outer(); o++) {
            long runStart = layout.runStart(o, c);
            for (int s0 = 0; s0 < layout.inner(); s0 += RUN_BLOCK) {
                int b = Math.min(RUN_BLOCK, layout.inner() - s0);
                long from = runStart + s0;
                float blockMean = sum(x, from, b) / b;
                FloatVector center = splat(blockMean);
                FloatVector deviations0 = FloatVector.zero(FLOATS);
                FloatVector deviations1 = deviations0;
                FloatVector squares0 = deviations0;
                FloatVector squares1 = deviations0;
                int i = 0;
                for (int end = loopEnd(0, b, 2 * LANES); i < end; i += 2 * LANES) {
                    FloatVector d0 = load(x, from + i).sub(center);
                    FloatVector d1 = load(x, from + i + LANES).sub(center);
                    deviations0 = deviations0.add(d0);
                    deviations1 = deviations1.add(d1);
                    squares0 = d0.fma(d0, squares0);
                    squares1 = d1.fma(d1, squares1);
                }
                double deviations = deviations0.add(deviations1).reduceLanes(VectorOperators.ADD);
                double squares = squares0.add(squares1).reduceLanes(VectorOperators.ADD);
                for (; i < b; i++) {
                    double d = get(x, from + i) - blockMean;
                    deviations += d;
                    squares += d * d;
                }
                double partMean = blockMean + deviations / b;
                double partM2 = squares - deviations * deviations / b;
                double total = count + b;
                double delta = partMean - runningMean;
                runningMean += delta * (b / total);
                runningM2 += partM2 + delta * delta * (count * (b / total));
                count += b;
            }
        }
        mean[c] = runningMean;
        m2[c] = runningM2;
    }

    /** Σ x[from, from + n) in float: four vector accumulators, then the tail. */
    private static float sum(MemorySegment x, long from, int n) {
        FloatVector s0 = FloatVector.zero(FLOATS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        int i = 0;
        for (int end = loopEnd(0, n, 4 * LANES); i < end; i += 4 * LANES) {
            s0 = s0.add(load(x, from + i));
            s1 = s1.add(load(x, from + i + LANES));
            s2 = s2.add(load(x, from + i + 2 * LANES));
            s3 = s3.add(load(x, from + i + 3 * LANES));
        }
        for (int end = loopEnd(0, n, LANES); i < end; i += LANES) {
            s0 = s0.add(load(x, from + i));
        }
        float sum = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += get(x, from + i);
        }
        return sum;
    }

    @Override
    public void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine a) {
        boolean relu = a.relu();
        if (layout.planar()) {
            int inner = layout.inner();
            for (long o = 0; o < layout.outer(); o++) {
                for (int c = 0; c < layout.channels(); c++) {
                    long from = layout.runStart(o, c);
                    float center = a.center()[c];
                    float scale = a.scale()[c];
                    float shift = a.shift()[c];
                    int i = 0;
                    for (int end = loopEnd(0, inner, LANES); i < end; i += LANES) {
                        store(normalized(load(x, from + i), splat(center), splat(scale), splat(shift), relu), y, from + i);
                    }
                    ScalarBatchNormKernels.normalizeRange(x, y, from + i, from + inner, center, scale, shift, relu);
                }
            }
            return;
        }
        int channels = layout.channels();
        int vectorChannels = channels & -LANES;
        for (long r = 0; r < layout.outer(); r++) {
            long row = r * channels;
            for (int c = 0; c < vectorChannels; c += LANES) {
                store(normalized(load(x, row + c), column(a.center(), c), column(a.scale(), c), column(a.shift(), c),
                        relu), y, row + c);
            }
            ScalarBatchNormKernels.normalizeChannels(x, y, row, vectorChannels, channels, a);
        }
    }

    private static FloatVector column(float[] perChannel, int c) {
        return FloatVector.fromArray(FLOATS, perChannel, c);
    }

    private static FloatVector normalized(FloatVector x, FloatVector center, FloatVector scale, FloatVector shift,
                                          boolean relu) {
        FloatVector y = x.sub(center).fma(scale, shift);
        return relu ? y.max(0f) : y;
    }

    /** dy, zero where the forward value before the ReLU was {@code <= 0}. */
    private static FloatVector gated(FloatVector dy, FloatVector x, FloatVector center, FloatVector scale,
                                     FloatVector shift, boolean relu) {
        return relu ? dy.blend(0f, x.sub(center).fma(scale, shift).compare(VectorOperators.LE, 0f)) : dy;
    }

    @Override
    public void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                             double[] sumDy, double[] sumDyCentered) {
        if (layout.planar()) {
            for (int c = 0; c < layout.channels(); c++) {
                runGradientSums(layout, x, dy, a, c, sumDy, sumDyCentered);
            }
            return;
        }
        int vectorChannels = layout.channels() & -LANES;
        for (int c0 = 0; c0 < vectorChannels; c0 += LANES) {
            columnGradientSums(layout, x, dy, a, c0, sumDy, sumDyCentered);
        }
        ScalarBatchNormKernels.gradientSumsOfChannels(layout, x, dy, a, vectorChannels, sumDy, sumDyCentered);
    }

    /** Float sums over a block of rows, accumulated in float64 across blocks. */
    private static void columnGradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                           int c0, double[] sumDy, double[] sumDyCentered) {
        Arrays.fill(sumDy, c0, c0 + LANES, 0);
        Arrays.fill(sumDyCentered, c0, c0 + LANES, 0);
        int channels = layout.channels();
        boolean relu = a.relu();
        FloatVector center = column(a.center(), c0);
        FloatVector scale = column(a.scale(), c0);
        FloatVector shift = column(a.shift(), c0);
        for (long r0 = 0; r0 < layout.outer(); r0 += ROW_BLOCK) {
            int b = (int) Math.min(ROW_BLOCK, layout.outer() - r0);
            long start = r0 * channels + c0;
            FloatVector s0 = FloatVector.zero(FLOATS);
            FloatVector s1 = s0;
            FloatVector sc0 = s0;
            FloatVector sc1 = s0;
            int k = 0;
            for (; k + 2 <= b; k += 2) {
                long i0 = start + (long) k * channels;
                long i1 = i0 + channels;
                FloatVector x0 = load(x, i0);
                FloatVector x1 = load(x, i1);
                FloatVector g0 = gated(load(dy, i0), x0, center, scale, shift, relu);
                FloatVector g1 = gated(load(dy, i1), x1, center, scale, shift, relu);
                s0 = s0.add(g0);
                s1 = s1.add(g1);
                sc0 = g0.fma(x0.sub(center), sc0);
                sc1 = g1.fma(x1.sub(center), sc1);
            }
            if (k < b) {
                long i = start + (long) k * channels;
                FloatVector xi = load(x, i);
                FloatVector g = gated(load(dy, i), xi, center, scale, shift, relu);
                s0 = s0.add(g);
                sc0 = g.fma(xi.sub(center), sc0);
            }
            FloatVector s = s0.add(s1);
            FloatVector sc = sc0.add(sc1);
            addHalf(s, 0, sumDy, c0);
            addHalf(s, 1, sumDy, c0 + HALF);
            addHalf(sc, 0, sumDyCentered, c0);
            addHalf(sc, 1, sumDyCentered, c0 + HALF);
        }
    }

    private static void addHalf(FloatVector v, int part, double[] into, int c) {
        DoubleVector.fromArray(DOUBLES, into, c).add(widen(v, part)).intoArray(into, c);
    }

    private static void runGradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine a,
                                        int c, double[] sumDy, double[] sumDyCentered) {
        boolean relu = a.relu();
        FloatVector center = splat(a.center()[c]);
        FloatVector scale = splat(a.scale()[c]);
        FloatVector shift = splat(a.shift()[c]);
        double total = 0;
        double totalCentered = 0;
        for (long o = 0; o < layout.outer(); o++) {
            long runStart = layout.runStart(o, c);
            for (int s0 = 0; s0 < layout.inner(); s0 += RUN_BLOCK) {
                int b = Math.min(RUN_BLOCK, layout.inner() - s0);
                long from = runStart + s0;
                FloatVector s = FloatVector.zero(FLOATS);
                FloatVector sc = s;
                int i = 0;
                for (int end = loopEnd(0, b, LANES); i < end; i += LANES) {
                    FloatVector xi = load(x, from + i);
                    FloatVector g = gated(load(dy, from + i), xi, center, scale, shift, relu);
                    s = s.add(g);
                    sc = g.fma(xi.sub(center), sc);
                }
                total += s.reduceLanes(VectorOperators.ADD);
                totalCentered += sc.reduceLanes(VectorOperators.ADD);
                float centerC = a.center()[c];
                for (; i < b; i++) {
                    float xi = get(x, from + i);
                    double g = ScalarBatchNormKernels.gated(get(dy, from + i), xi, centerC, a.scale()[c], a.shift()[c],
                            relu);
                    total += g;
                    totalCentered += g * (xi - centerC);
                }
            }
        }
        sumDy[c] = total;
        sumDyCentered[c] = totalCentered;
    }

    @Override
    public void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                              ChannelAffine a, float[] dyScale, float[] xScale, float[] bias) {
        boolean relu = a.relu();
        if (layout.planar()) {
            int inner = layout.inner();
            for (long o = 0; o < layout.outer(); o++) {
                for (int c = 0; c < layout.channels(); c++) {
                    long from = layout.runStart(o, c);
                    FloatVector center = splat(a.center()[c]);
                    FloatVector scale = splat(a.scale()[c]);
                    FloatVector shift = splat(a.shift()[c]);
                    FloatVector g = splat(dyScale[c]);
                    FloatVector h = splat(xScale[c]);
                    FloatVector k = splat(bias[c]);
                    int i = 0;
                    for (int end = loopEnd(0, inner, LANES); i < end; i += LANES) {
                        FloatVector xi = load(x, from + i);
                        store(inputGradient(xi, load(dy, from + i), center, scale, shift, relu, g, h, k), dx, from + i);
                    }
                    ScalarBatchNormKernels.inputGradientRange(x, dy, dx, from + i, from + inner, c, a, dyScale, xScale,
                            bias);
                }
            }
            return;
        }
        int channels = layout.channels();
        int vectorChannels = channels & -LANES;
        for (long r = 0; r < layout.outer(); r++) {
            long row = r * channels;
            for (int c = 0; c < vectorChannels; c += LANES) {
                FloatVector xi = load(x, row + c);
                store(inputGradient(xi, load(dy, row + c), column(a.center(), c), column(a.scale(), c),
                        column(a.shift(), c), relu, column(dyScale, c), column(xScale, c), column(bias, c)),
                        dx, row + c);
            }
            ScalarBatchNormKernels.inputGradientChannels(x, dy, dx, row, vectorChannels, channels, a, dyScale, xScale,
                    bias);
        }
    }

    private static FloatVector inputGradient(FloatVector x, FloatVector dy, FloatVector center, FloatVector scale,
                                             FloatVector shift, boolean relu, FloatVector dyScale, FloatVector xScale,
                                             FloatVector bias) {
        return x.sub(center).fma(xScale, gated(dy, x, center, scale, shift, relu).fma(dyScale, bias));
    }
}
