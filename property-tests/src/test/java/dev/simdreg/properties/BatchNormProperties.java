package dev.simdreg.properties;

import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.ChannelMoments;
import dev.simdreg.internal.ChannelAffine;
import dev.simdreg.internal.ChannelLayout;
import dev.simdreg.internal.Kernels;
import dev.simdreg.internal.vector.VectorProvider;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.simdreg.properties.BatchData.index;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.constant;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Batch normalization against float64 references, on every shape of {@link BatchData#shapes()} and every
 * storage kind.
 *
 * <p>Tolerances, in float roundings (2^-24 relative) of the stated magnitude: the statistics are sums of
 * up to 512 floats per lane and block before they go to float64, whose rounding error is far below its
 * worst-case bound of 512 roundings; 64 roundings of the spread is the stated bound for the mean and for
 * the variance (relative), which carries into everything derived from them.
 */
class BatchNormProperties {

    private static final int EXAMPLES = 3;
    private static final double STATISTICS = 64;

    /** A property of one shape, storage kind and random source. */
    private interface Property {
        void check(BatchShape shape, Storage storage, SplittableRandom random);
    }

    private static void forEvery(Property property) {
        for (BatchShape shape : BatchData.shapes()) {
            for (Storage storage : Storage.values()) {
                qt().withFixedSeed(Shape.SEED).withExamples(EXAMPLES)
                        .forAll(constant(shape), constant(storage), longs().all())
                        .checkAssert((sh, st, seed) -> property.check(sh, st, new SplittableRandom(seed)));
            }
        }
    }

    @Test
    void trainingForwardMatchesReference() {
        forEvery((shape, storage, random) -> {
            int channels = shape.channels();
            float[] x = BatchData.input(shape, random);
            float[] gamma = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            float[] beta = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            boolean running = random.nextBoolean();
            float[] runningMean = BatchData.perChannel(channels, random, -1, 1);
            float[] runningVar = BatchData.perChannel(channels, random, 0.5, 2);
            var options = BatchNormOptions.defaults().withMomentum((float) random.nextDouble())
                    .withEpsilon((float) Math.pow(10, random.nextDouble(-6, -2))).withRelu(random.nextBoolean());
            try (Arena arena = Arena.ofConfined()) {
                var xb = storage.hold(arena, x);
                var yb = storage.hold(arena, new float[x.length]);
                var gb = hold(storage, arena, gamma);
                var bb = hold(storage, arena, beta);
                var mb = storage.hold(arena, new float[channels]);
                var ib = storage.hold(arena, new float[channels]);
                var rmb = running ? storage.hold(arena, runningMean) : null;
                var rvb = running ? storage.hold(arena, runningVar) : null;
                if (storage.usesArrayApi()) {
                    BatchNorm.trainingForward(shape, xb.array(), yb.array(), array(gb), array(bb), mb.array(), ib.array(),
                            array(rmb), array(rvb), options);
                } else {
                    BatchNorm.trainingForward(shape, xb.segment(), yb.segment(), segment(gb), segment(bb), mb.segment(),
                            ib.segment(), segment(rmb), segment(rvb), options);
                }
                var ref = BatchData.Moments.of(shape, x);
                float[] savedMean = mb.read();
                float[] savedInvStd = ib.read();
                float[] y = yb.read();
                long count = shape.valuesPerChannel();
                double m = options.momentum();
                for (int c = 0; c < channels; c++) {
                    double spread = Math.sqrt(ref.variance()[c]);
                    double invStd = 1 / Math.sqrt(ref.variance()[c] + options.epsilon());
                    Close.within(ref.mean()[c], savedMean[c], Math.abs(ref.mean()[c]) + STATISTICS * spread, 4,
                            "savedMean[" + c + "]");
                    Close.within(invStd, savedInvStd[c], invStd, STATISTICS, "savedInvStd[" + c + "]");
                    double g = gamma == null ? 1 : gamma[c];
                    double b = beta == null ? 0 : beta[c];
                    for (int n = 0; n < shape.batch(); n++) {
                        for (int s = 0; s < shape.spatial(); s++) {
                            int i = index(shape, n, c, s);
                            double centered = x[i] - ref.mean()[c];
                            double expected = centered * invStd * g + b;
                            if (options.relu()) {
                                expected = Math.max(expected, 0);
                            }
                            // the float mean's rounding, the statistics' error, and the float operations
                            double magnitude = Math.abs(g) * invStd * (4 * Math.abs(ref.mean()[c])
                                    + 4 * STATISTICS * spread + (STATISTICS + 6) * Math.abs(centered)) + 2 * Math.abs(b);
                            Close.within(expected, y[i], magnitude, 1, "y[" + i + "]");
                        }
                    }
                    if (running) {
                        double unbiased = ref.variance()[c] * count / (count - 1);
                        Close.within((1 - m) * runningMean[c] + m * ref.mean()[c], rmb.read()[c],
                                (1 - m) * Math.abs(runningMean[c]) + m * (Math.abs(ref.mean()[c]) + spread), STATISTICS,
                                "runningMean[" + c + "]");
                        Close.within((1 - m) * runningVar[c] + m * unbiased, rvb.read()[c],
                                (1 - m) * runningVar[c] + m * unbiased, 2 * STATISTICS + 4, "runningVar[" + c + "]");
                    }
                }
                assertArrayEquals(x, xb.read(), "x must not change");
            }
        });
    }

    @Test
    void inferenceForwardMatchesReference() {
        forEvery((shape, storage, random) -> {
            int channels = shape.channels();
            float[] x = BatchData.input(shape, random);
            float[] gamma = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            float[] beta = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            var ref = BatchData.Moments.of(shape, x);
            float[] runningMean = new float[channels];
            float[] runningVar = new float[channels];
            for (int c = 0; c < channels; c++) {
                runningMean[c] = (float) (ref.mean()[c] * random.nextDouble(0.9, 1.1));
                runningVar[c] = (float) (ref.variance()[c] * random.nextDouble(0.5, 2));
            }
            var options = BatchNormOptions.defaults().withRelu(random.nextBoolean());
            boolean inPlace = random.nextBoolean();
            try (Arena arena = Arena.ofConfined()) {
                var xb = storage.hold(arena, x);
                var yb = inPlace ? xb : storage.hold(arena, new float[x.length]);
                var gb = hold(storage, arena, gamma);
                var bb = hold(storage, arena, beta);
                var rmb = storage.hold(arena, runningMean);
                var rvb = storage.hold(arena, runningVar);
                if (storage.usesArrayApi()) {
                    BatchNorm.inferenceForward(shape, xb.array(), yb.array(), array(gb), array(bb), rmb.array(),
                            rvb.array(), options);
                } else {
                    BatchNorm.inferenceForward(shape, xb.segment(), yb.segment(), segment(gb), segment(bb),
                            rmb.segment(), rvb.segment(), options);
                }
                float[] y = yb.read();
                for (int i = 0; i < x.length; i++) {
                    int c = channelOf(shape, i);
                    double scale = (gamma == null ? 1 : gamma[c]) / Math.sqrt(runningVar[c] + (double) options.epsilon());
                    double b = beta == null ? 0 : beta[c];
                    double centered = (double) x[i] - runningMean[c];
                    double expected = centered * scale + b;
                    if (options.relu()) {
                        expected = Math.max(expected, 0);
                    }
                    Close.within(expected, y[i], Math.abs(centered * scale) + Math.abs(b), 4, "y[" + i + "]");
                }
            }
        });
    }

    @Test
    void trainingBackwardMatchesReference() {
        forEvery((shape, storage, random) -> {
            int channels = shape.channels();
            float[] x = BatchData.input(shape, random);
            float[] dy = BatchData.perChannel(x.length, random, -1, 1);
            float[] gamma = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            float[] beta = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            boolean relu = random.nextBoolean();
            var options = BatchNormOptions.defaults().withRelu(relu);
            float[] savedMean = new float[channels];
            float[] savedInvStd = new float[channels];
            BatchNorm.trainingForward(shape, x, new float[x.length], gamma, beta, savedMean, savedInvStd, null, null,
                    options);
            boolean inPlace = random.nextBoolean();
            try (Arena arena = Arena.ofConfined()) {
                var xb = storage.hold(arena, x);
                var dyb = storage.hold(arena, dy);
                var dxb = inPlace ? dyb : storage.hold(arena, new float[x.length]);
                var gb = hold(storage, arena, gamma);
                var bb = hold(storage, arena, beta);
                var mb = storage.hold(arena, savedMean);
                var ib = storage.hold(arena, savedInvStd);
                var dgb = random.nextBoolean() ? storage.hold(arena, new float[channels]) : null;
                var dbb = random.nextBoolean() ? storage.hold(arena, new float[channels]) : null;
                if (storage.usesArrayApi()) {
                    BatchNorm.trainingBackward(shape, xb.array(), dyb.array(), dxb.array(), array(gb), array(bb),
                            mb.array(), ib.array(), array(dgb), array(dbb), relu);
                } else {
                    BatchNorm.trainingBackward(shape, xb.segment(), dyb.segment(), dxb.segment(), segment(gb),
                            segment(bb), mb.segment(), ib.segment(), segment(dgb), segment(dbb), relu);
                }
                float[] dx = dxb.read();
                double n = shape.valuesPerChannel();
                for (int c = 0; c < channels; c++) {
                    float g = gamma == null ? 1f : gamma[c];
                    float b = beta == null ? 0f : beta[c];
                    float scale = g * savedInvStd[c];
                    double invStd = savedInvStd[c];
                    double sumDy = 0;
                    double sumDyCentered = 0;
                    double absDy = 0;
                    double absDyCentered = 0;
                    double[] gated = new double[x.length];
                    for (int i : indicesOf(shape, c)) {
                        // the ReLU's decision is the forward's, recomputed with the forward's float operations
                        boolean pass = !relu || !(Math.fma(x[i] - savedMean[c], scale, b) <= 0);
                        gated[i] = pass ? dy[i] : 0;
                        double centered = (double) x[i] - savedMean[c];
                        sumDy += gated[i];
                        sumDyCentered += gated[i] * centered;
                        absDy += Math.abs(gated[i]);
                        absDyCentered += Math.abs(gated[i] * centered);
                    }
                    double a = g * invStd;
                    for (int i : indicesOf(shape, c)) {
                        double centered = (double) x[i] - savedMean[c];
                        double expected = a * (gated[i] - sumDy / n - centered * invStd * invStd * sumDyCentered / n);
                        // float coefficients from float64 sums (2·STATISTICS roundings), then two fused multiply-adds
                        double magnitude = Math.abs(a) * (4 * Math.abs(gated[i]) + 2 * STATISTICS * absDy / n
                                + 2 * STATISTICS * Math.abs(centered) * invStd * invStd * absDyCentered / n);
                        Close.within(expected, dx[i], magnitude, 1, "dx[" + i + "]");
                    }
                    if (dgb != null) {
                        Close.within(invStd * sumDyCentered, dgb.read()[c], invStd * absDyCentered, 2 * STATISTICS,
                                "dGamma[" + c + "]");
                    }
                    if (dbb != null) {
                        Close.within(sumDy, dbb.read()[c], absDy, 2 * STATISTICS, "dBeta[" + c + "]");
                    }
                }
                assertArrayEquals(x, xb.read(), "x must not change");
            }
        });
    }

    @Test
    void inferenceBackwardMatchesReference() {
        forEvery((shape, storage, random) -> {
            int channels = shape.channels();
            float[] x = BatchData.input(shape, random);
            float[] dy = BatchData.perChannel(x.length, random, -1, 1);
            float[] gamma = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            float[] beta = random.nextBoolean() ? BatchData.perChannel(channels, random, -2, 2) : null;
            var ref = BatchData.Moments.of(shape, x);
            float[] runningMean = new float[channels];
            float[] runningVar = new float[channels];
            for (int c = 0; c < channels; c++) {
                runningMean[c] = (float) ref.mean()[c];
                runningVar[c] = (float) (ref.variance()[c] + 1e-3);
            }
            var options = BatchNormOptions.defaults().withRelu(random.nextBoolean());
            int dxInto = random.nextInt(3); // its own buffer, x's or dy's: one pass reads each before writing
            try (Arena arena = Arena.ofConfined()) {
                var xb = storage.hold(arena, x);
                var dyb = storage.hold(arena, dy);
                var dxb = switch (dxInto) {
                    case 0 -> storage.hold(arena, new float[x.length]);
                    case 1 -> xb;
                    default -> dyb;
                };
                var gb = hold(storage, arena, gamma);
                var bb = hold(storage, arena, beta);
                var rmb = storage.hold(arena, runningMean);
                var rvb = storage.hold(arena, runningVar);
                var dgb = storage.hold(arena, new float[channels]);
                var dbb = storage.hold(arena, new float[channels]);
                if (storage.usesArrayApi()) {
                    BatchNorm.inferenceBackward(shape, xb.array(), dyb.array(), dxb.array(), array(gb), array(bb),
                            rmb.array(), rvb.array(), dgb.array(), dbb.array(), options);
                } else {
                    BatchNorm.inferenceBackward(shape, xb.segment(), dyb.segment(), dxb.segment(), segment(gb),
                            segment(bb), rmb.segment(), rvb.segment(), dgb.segment(), dbb.segment(), options);
                }
                float[] dx = dxb.read();
                for (int c = 0; c < channels; c++) {
                    double invStd = 1 / Math.sqrt(runningVar[c] + (double) options.epsilon());
                    float g = gamma == null ? 1f : gamma[c];
                    float scale = (float) (g * invStd);
                    float b = beta == null ? 0f : beta[c];
                    double sumDy = 0;
                    double sumDyCentered = 0;
                    double absDy = 0;
                    double absDyCentered = 0;
                    for (int i : indicesOf(shape, c)) {
                        boolean pass = !options.relu() || !(Math.fma(x[i] - runningMean[c], scale, b) <= 0);
                        double gated = pass ? dy[i] : 0;
                        Close.within(gated * g * invStd, dx[i], Math.abs(gated * g * invStd), 2, "dx[" + i + "]");
                        double centered = (double) x[i] - runningMean[c];
                        sumDy += gated;
                        sumDyCentered += gated * centered;
                        absDy += Math.abs(gated);
                        absDyCentered += Math.abs(gated * centered);
                    }
                    Close.within(invStd * sumDyCentered, dgb.read()[c], invStd * absDyCentered, 2 * STATISTICS,
                            "dGamma[" + c + "]");
                    Close.within(sumDy, dbb.read()[c], absDy, 2 * STATISTICS, "dBeta[" + c + "]");
                }
            }
        });
    }

    /**
     * The training backward is the derivative of the float64 forward: central differences of
     * {@code L = Σ dy·y} with respect to every x, γ and β, on small shapes of each layout.
     */
    @Test
    void trainingBackwardIsTheDerivativeOfTheForward() {
        List<BatchShape> shapes = List.of(BatchShape.rows(7, 3), BatchShape.rows(5, 17),
                BatchShape.channelsFirst(2, 3, 5), BatchShape.channelsFirst(3, 2, 19),
                BatchShape.channelsLast(2, 5, 3), BatchShape.channelsLast(3, 3, 17));
        for (BatchShape shape : shapes) {
            qt().withFixedSeed(Shape.SEED).withExamples(4).forAll(constant(shape), longs().all())
                    .checkAssert((sh, seed) -> checkFiniteDifferences(sh, new SplittableRandom(seed)));
        }
    }

    private static void checkFiniteDifferences(BatchShape shape, SplittableRandom random) {
        int channels = shape.channels();
        float[] x = new float[Math.toIntExact(shape.elements())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (3 + 2 * random.nextGaussian());
        }
        float[] dy = BatchData.perChannel(x.length, random, -1, 1);
        float[] gamma = BatchData.perChannel(channels, random, 0.5, 2);
        float[] beta = BatchData.perChannel(channels, random, -1, 1);
        float epsilon = 1e-3f;
        var options = BatchNormOptions.defaults().withEpsilon(epsilon);
        float[] savedMean = new float[channels];
        float[] savedInvStd = new float[channels];
        BatchNorm.trainingForward(shape, x, new float[x.length], gamma, beta, savedMean, savedInvStd, null, null, options);
        float[] dx = new float[x.length];
        float[] dGamma = new float[channels];
        float[] dBeta = new float[channels];
        BatchNorm.trainingBackward(shape, x, dy, dx, gamma, beta, savedMean, savedInvStd, dGamma, dBeta, false);

        double[] xd = toDouble(x);
        double[] gd = toDouble(gamma);
        double[] bd = toDouble(beta);
        double h = 1e-5;
        double largest = 0;
        List<double[]> pairs = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            double expected = centralDifference(shape, xd, i, h, gd, bd, epsilon, dy, 0);
            pairs.add(new double[] {expected, dx[i]});
            largest = Math.max(largest, Math.abs(expected));
        }
        for (int c = 0; c < channels; c++) {
            pairs.add(new double[] {centralDifference(shape, xd, c, h, gd, bd, epsilon, dy, 1), dGamma[c]});
            pairs.add(new double[] {centralDifference(shape, xd, c, h, gd, bd, epsilon, dy, 2), dBeta[c]});
        }
        for (double[] pair : pairs) {
            largest = Math.max(largest, Math.abs(pair[0]));
        }
        for (double[] pair : pairs) {
            // float inputs and a float backward against a float64 derivative: a few float roundings of the largest term
            assertEquals(pair[0], pair[1], 1e-4 * largest + 1e-6, "finite difference of " + shape);
        }
    }

    /** dL/d(parameter) for L = Σ dy·BN(x) in float64; which: 0 = x[k], 1 = γ[k], 2 = β[k]. */
    private static double centralDifference(BatchShape shape, double[] x, int k, double h, double[] gamma,
                                            double[] beta, double epsilon, float[] dy, int which) {
        double[][] arguments = {x, gamma, beta};
        double[] target = arguments[which];
        double saved = target[k];
        target[k] = saved + h;
        double plus = loss(shape, x, gamma, beta, epsilon, dy);
        target[k] = saved - h;
        double minus = loss(shape, x, gamma, beta, epsilon, dy);
        target[k] = saved;
        return (plus - minus) / (2 * h);
    }

    private static double loss(BatchShape shape, double[] x, double[] gamma, double[] beta, double epsilon, float[] dy) {
        double loss = 0;
        double count = shape.valuesPerChannel();
        for (int c = 0; c < shape.channels(); c++) {
            int[] indices = indicesOf(shape, c);
            double mean = 0;
            for (int i : indices) {
                mean += x[i] / count;
            }
            double variance = 0;
            for (int i : indices) {
                variance += (x[i] - mean) * (x[i] - mean) / count;
            }
            double invStd = 1 / Math.sqrt(variance + epsilon);
            for (int i : indices) {
                loss += dy[i] * (gamma[c] * (x[i] - mean) * invStd + beta[c]);
            }
        }
        return loss;
    }

    /**
     * Shards of a batch, each reduced on its own and merged, give the statistics of the whole batch: both
     * within float rounding of the float64 reference, and the forward pass fed with the merged moments
     * matches the one that computes its own.
     */
    @Test
    void mergedShardsGiveTheWholeBatchStatistics() {
        forEvery((shape, storage, random) -> {
            if (shape.batch() < 2 || storage != Storage.ARRAY) {
                return;
            }
            float[] x = BatchData.input(shape, random);
            int channels = shape.channels();
            int perExample = channels * shape.spatial();
            ChannelMoments merged = new ChannelMoments(channels);
            int start = 0;
            while (start < shape.batch()) {
                int examples = 1 + random.nextInt(shape.batch() - start);
                BatchShape shard = new BatchShape(shape.layout(), examples, channels, shape.spatial());
                float[] part = java.util.Arrays.copyOfRange(x, start * perExample, (start + examples) * perExample);
                ChannelMoments partial = new ChannelMoments(channels);
                BatchNorm.addMoments(shard, part, partial);
                merged.merge(partial);
                start += examples;
            }
            ChannelMoments whole = new ChannelMoments(channels);
            BatchNorm.addMoments(shape, x, whole);
            var ref = BatchData.Moments.of(shape, x);
            assertEquals(shape.valuesPerChannel(), merged.count());
            for (int c = 0; c < channels; c++) {
                double spread = Math.sqrt(ref.variance()[c]);
                for (ChannelMoments m : List.of(merged, whole)) {
                    Close.within(ref.mean()[c], (float) m.mean(c), Math.abs(ref.mean()[c]) + STATISTICS * spread, 2,
                            "mean[" + c + "]");
                    Close.within(ref.variance()[c], (float) m.variance(c), ref.variance()[c], 2 * STATISTICS,
                            "variance[" + c + "]");
                }
            }
            float[] ownMean = new float[channels];
            float[] ownInvStd = new float[channels];
            float[] own = new float[x.length];
            BatchNorm.trainingForward(shape, x, own, null, null, ownMean, ownInvStd, null, null,
                    BatchNormOptions.defaults());
            float[] mergedMean = new float[channels];
            float[] mergedInvStd = new float[channels];
            float[] fromMerged = new float[x.length];
            BatchNorm.trainingForward(shape, x, fromMerged, null, null, mergedMean, mergedInvStd, null, null,
                    BatchNormOptions.defaults(), merged);
            for (int i = 0; i < x.length; i++) {
                int c = channelOf(shape, i);
                double magnitude = (Math.abs((double) x[i] - ref.mean()[c]) + Math.sqrt(ref.variance()[c])) * ownInvStd[c];
                Close.within(own[i], fromMerged[i], magnitude, 4 * STATISTICS, "y[" + i + "]");
            }
        });
    }

    /** Folding into the preceding linear layer: both sides agree on random inputs. */
    @Test
    void foldingMatchesLinearThenBatchNorm() {
        qt().withFixedSeed(Shape.SEED).withExamples(40).forAll(longs().all()).checkAssert(seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            int outputs = 1 + random.nextInt(40);
            int inputs = random.nextInt(70);
            float[] w = BatchData.perChannel(outputs * inputs, random, -1, 1);
            float[] b = random.nextBoolean() ? BatchData.perChannel(outputs, random, -1, 1) : null;
            float[] gamma = random.nextBoolean() ? BatchData.perChannel(outputs, random, -2, 2) : null;
            float[] beta = random.nextBoolean() ? BatchData.perChannel(outputs, random, -2, 2) : null;
            float[] runningMean = BatchData.perChannel(outputs, random, -1, 1);
            float[] runningVar = BatchData.perChannel(outputs, random, 0.01, 3);
            float epsilon = 1e-5f;
            boolean inPlace = random.nextBoolean();
            float[] foldedW = inPlace ? w.clone() : new float[w.length];
            float[] foldedB = inPlace && b != null ? b.clone() : new float[outputs];
            BatchNorm.foldIntoLinear(outputs, inputs, inPlace ? foldedW : w, inPlace && b != null ? foldedB : b, gamma,
                    beta, runningMean, runningVar, epsilon, foldedW, foldedB);
            float[] x = BatchData.perChannel(inputs, random, -3, 3);
            for (int c = 0; c < outputs; c++) {
                double z = b == null ? 0 : b[c];
                double folded = foldedB[c];
                double magnitude = Math.abs(folded);
                for (int k = 0; k < inputs; k++) {
                    z += (double) w[c * inputs + k] * x[k];
                    folded += (double) foldedW[c * inputs + k] * x[k];
                    magnitude += Math.abs((double) foldedW[c * inputs + k] * x[k]);
                }
                double scale = (gamma == null ? 1 : gamma[c]) / Math.sqrt(runningVar[c] + (double) epsilon);
                double expected = (z - runningMean[c]) * scale + (beta == null ? 0 : beta[c]);
                magnitude += Math.abs(runningMean[c] * scale) + Math.abs(beta == null ? 0 : beta[c]);
                Close.within(expected, (float) folded, magnitude, 4, "output " + c);
            }
        });
    }

    /**
     * Data whose mean is 1e4 spreads: x = 1e4 + N(0, 1). The variance that the forward pass normalizes with
     * agrees with float64 to 1e-3, where {@code E[x²] − E[x]²} in float is off by far more (checked, so the
     * data is known to be hard).
     */
    @Test
    void varianceIsStableForLargeMeans() {
        for (BatchShape shape : List.of(BatchShape.rows(513, 3), BatchShape.rows(4096, 40), BatchShape.rows(601, 300),
                BatchShape.channelsFirst(8, 3, 3000), BatchShape.channelsLast(8, 700, 20))) {
            SplittableRandom random = new SplittableRandom(Shape.SEED);
            float[] x = new float[Math.toIntExact(shape.elements())];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (1e4 + random.nextGaussian());
            }
            int channels = shape.channels();
            float[] savedMean = new float[channels];
            float[] savedInvStd = new float[channels];
            float epsilon = 1e-10f;
            BatchNorm.trainingForward(shape, x, new float[x.length], null, null, savedMean, savedInvStd, null, null,
                    BatchNormOptions.defaults().withEpsilon(epsilon));
            var ref = BatchData.Moments.of(shape, x);
            for (int c = 0; c < channels; c++) {
                double variance = 1 / ((double) savedInvStd[c] * savedInvStd[c]) - epsilon;
                assertEquals(ref.variance()[c], variance, 1e-3 * ref.variance()[c], shape + " channel " + c);
                float sum = 0;
                float squares = 0;
                for (int i : indicesOf(shape, c)) {
                    sum += x[i];
                    squares += x[i] * x[i];
                }
                float count = shape.valuesPerChannel();
                float naive = squares / count - (sum / count) * (sum / count);
                assertTrue(Math.abs(naive - ref.variance()[c]) > 1e-3 * ref.variance()[c],
                        "the naive float variance should fail on this data: " + naive);
            }
        }
    }

    /**
     * Data whose first rows lie far out of the rest, the worst case of the interleaved kernels' shifted
     * sums (their shift is the mean of the first rows): the moments keep the stated accuracy, because the
     * kernel detects the cancellation and takes an exact second pass.
     */
    @Test
    void outlyingFirstRowsKeepTheMomentsAccurate() {
        for (BatchShape shape : List.of(BatchShape.rows(4000, 40), BatchShape.rows(601, 300),
                BatchShape.channelsLast(4, 1000, 64))) {
            SplittableRandom random = new SplittableRandom(Shape.SEED);
            float[] x = new float[Math.toIntExact(shape.elements())];
            for (int i = 0; i < x.length; i++) {
                boolean firstRows = i < 16 * shape.channels();
                x[i] = (float) ((firstRows ? 1e4 : 0) + random.nextGaussian());
            }
            ChannelMoments moments = new ChannelMoments(shape.channels());
            BatchNorm.addMoments(shape, x, moments);
            var ref = BatchData.Moments.of(shape, x);
            for (int c = 0; c < shape.channels(); c++) {
                double spread = Math.sqrt(ref.variance()[c]);
                Close.within(ref.mean()[c], (float) moments.mean(c), Math.abs(ref.mean()[c]) + STATISTICS * spread, 2,
                        shape + " mean[" + c + "]");
                Close.within(ref.variance()[c], (float) moments.variance(c), ref.variance()[c], STATISTICS,
                        shape + " variance[" + c + "]");
            }
        }
    }

    /** A channel whose values are all equal has variance 0, invstd 1/√ε and y = β. */
    @Test
    void constantChannelGivesFiniteOutput() {
        for (BatchShape shape : List.of(BatchShape.rows(9, 20), BatchShape.channelsFirst(2, 3, 50),
                BatchShape.channelsLast(2, 9, 17))) {
            float[] x = new float[Math.toIntExact(shape.elements())];
            java.util.Arrays.fill(x, 42.5f);
            int channels = shape.channels();
            float[] savedMean = new float[channels];
            float[] savedInvStd = new float[channels];
            float[] y = new float[x.length];
            float[] beta = BatchData.perChannel(channels, new SplittableRandom(1), -1, 1);
            BatchNorm.trainingForward(shape, x, y, null, beta, savedMean, savedInvStd, null, null,
                    BatchNormOptions.defaults());
            for (int c = 0; c < channels; c++) {
                assertEquals(42.5f, savedMean[c]);
                assertEquals((float) (1 / Math.sqrt(1e-5)), savedInvStd[c], "1/√ε with PyTorch's ε = 1e-5 in double");
            }
            for (int i = 0; i < y.length; i++) {
                assertEquals(beta[channelOf(shape, i)], y[i], "y[" + i + "]");
            }
        }
    }

    @Test
    void nanPropagatesToItsChannel() {
        BatchShape shape = BatchShape.channelsLast(3, 5, 19);
        float[] x = BatchData.input(shape, new SplittableRandom(3));
        x[index(shape, 1, 4, 2)] = Float.NaN;
        float[] y = new float[x.length];
        float[] mean = new float[19];
        float[] invStd = new float[19];
        BatchNorm.trainingForward(shape, x, y, null, null, mean, invStd, null, null, BatchNormOptions.defaults());
        for (int i = 0; i < y.length; i++) {
            assertEquals(channelOf(shape, i) == 4, Float.isNaN(y[i]), "y[" + i + "] = " + y[i]);
        }
    }

    /**
     * The element-wise passes (normalize, input gradient, inference backward's dx written with the gradient
     * sums, with and without the ReLU) give the same bits on the vector provider at this run's width as on the
     * scalar one, for every layout and channel tail.
     */
    @Test
    void elementWisePassesGiveTheSameBitsOnBothProviders() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "no Vector API in this run");
        Kernels vector = VectorProvider.kernels();
        Kernels scalar = Kernels.scalar();
        forEvery((shape, storage, random) -> {
            if (storage != Storage.NATIVE_ODD_OFFSET) {
                return;
            }
            int channels = shape.channels();
            float[] x = BatchData.input(shape, random);
            float[] dy = BatchData.perChannel(x.length, random, -1, 1);
            var affine = new ChannelAffine(BatchData.perChannel(channels, random, -5, 5),
                    BatchData.perChannel(channels, random, -2, 2), BatchData.perChannel(channels, random, -1, 1),
                    random.nextBoolean());
            float[] dyScale = BatchData.perChannel(channels, random, -2, 2);
            float[] xScale = BatchData.perChannel(channels, random, -2, 2);
            float[] bias = BatchData.perChannel(channels, random, -1, 1);
            ChannelLayout layout = switch (shape.layout()) {
                case ROWS -> ChannelLayout.interleaved(shape.batch(), channels);
                case CHANNELS_LAST -> ChannelLayout.interleaved(shape.valuesPerChannel(), channels);
                case CHANNELS_FIRST -> ChannelLayout.planar(shape.batch(), channels, shape.spatial());
            };
            float[][] results = new float[6][];
            try (Arena arena = Arena.ofConfined()) {
                int k = 0;
                for (Kernels kernels : List.of(vector, scalar)) {
                    var xb = storage.hold(arena, x);
                    var dyb = storage.hold(arena, dy);
                    var out = storage.hold(arena, new float[x.length]);
                    kernels.batchNorm().normalize(layout, xb.segment(), out.segment(), affine);
                    results[k++] = out.read();
                    kernels.batchNorm().inputGradient(layout, xb.segment(), dyb.segment(), out.segment(), affine, dyScale,
                            xScale, bias);
                    results[k++] = out.read();
                    kernels.batchNorm().gradientSums(layout, xb.segment(), dyb.segment(), affine, new double[channels],
                            new double[channels], out.segment(), dyScale);
                    results[k++] = out.read();
                }
            }
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(results[3][i]), Float.floatToIntBits(results[0][i]), "y[" + i + "]");
                assertEquals(Float.floatToIntBits(results[4][i]), Float.floatToIntBits(results[1][i]), "dx[" + i + "]");
                assertEquals(Float.floatToIntBits(results[5][i]), Float.floatToIntBits(results[2][i]),
                        "inference dx[" + i + "]");
            }
        });
    }

    private static int channelOf(BatchShape shape, int i) {
        return switch (shape.layout()) {
            case ROWS, CHANNELS_LAST -> i % shape.channels();
            case CHANNELS_FIRST -> (i / shape.spatial()) % shape.channels();
        };
    }

    private static int[] indicesOf(BatchShape shape, int c) {
        int[] indices = new int[Math.toIntExact(shape.valuesPerChannel())];
        int k = 0;
        for (int n = 0; n < shape.batch(); n++) {
            for (int s = 0; s < shape.spatial(); s++) {
                indices[k++] = index(shape, n, c, s);
            }
        }
        return indices;
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static Storage.Buffer hold(Storage storage, Arena arena, float[] values) {
        return values == null ? null : storage.hold(arena, values);
    }

    private static float[] array(Storage.Buffer b) {
        return b == null ? null : b.array();
    }

    private static MemorySegment segment(Storage.Buffer b) {
        return b == null ? null : b.segment();
    }
}
