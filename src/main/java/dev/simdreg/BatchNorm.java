package dev.simdreg;

import dev.simdreg.internal.BatchNormKernels;
import dev.simdreg.internal.ChannelAffine;
import dev.simdreg.internal.ChannelLayout;
import dev.simdreg.internal.Check;
import dev.simdreg.internal.Counts;
import dev.simdreg.internal.Floats;
import dev.simdreg.internal.Norms;
import dev.simdreg.internal.Providers;
import dev.simdreg.internal.Workspace;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * Batch normalization (Ioffe and Szegedy 2015; DL book 8.7.1) with PyTorch's semantics
 * ({@code torch.nn.functional.batch_norm}): per channel c over its N·S values,
 * {@code y = γ·(x − μ)/√(σ² + ε) + β}, σ² the biased batch variance in training and the running
 * variance at inference. γ and β are optional (null means 1 and 0). Inputs and outputs are float32 in
 * a {@link BatchShape}; per-channel buffers hold C floats.
 *
 * <p>Statistics: the mean and variance are computed in one read of x, with an error of a few float
 * roundings of the spread whatever the size of the mean (no {@code E[x²] − E[x]²}); they are returned in
 * float64 partials ({@link ChannelMoments}) so that shards of a batch merge exactly. The forward map is
 * applied unfolded, {@code (x − μ)·(γ·invstd) + β} with one fused multiply-add, for the same reason.
 *
 * <p>Aliasing: y may be x (in place); dx may be x or dy. Every other output must share no byte with any
 * other argument. Arguments are checked before anything is written; partial overlap, read-only outputs
 * and wrong sizes throw {@link IllegalArgumentException} naming the argument, its size and the shape.
 * Per-thread scratch of a few floats per channel is kept between calls, so repeated calls allocate
 * almost nothing.
 */
public final class BatchNorm {

    private BatchNorm() {
    }

    private static BatchNormKernels kernels() {
        return Providers.kernels().batchNorm();
    }

    /**
     * The momentum that turns the running statistics into the cumulative average of all batches so far,
     * PyTorch's {@code momentum=None}: {@code 1 / batchesTracked}, where batchesTracked counts the current
     * batch (1 for the first).
     */
    public static double cumulativeMomentum(long batchesTracked) {
        Check.step(batchesTracked, "batchesTracked");
        return 1.0 / batchesTracked;
    }

    // ---------------------------------------------------------------------------------------------
    // Statistics

    /** Adds the per-channel moments of x to {@code into}; see {@link #addMoments(BatchShape, MemorySegment, ChannelMoments)}. */
    public static void addMoments(BatchShape shape, float[] x, ChannelMoments into) {
        addMoments(shape, Check.array(x, "x"), into);
    }

    /**
     * Adds the per-channel moments of x (count N·S, mean, M2) to {@code into}, merged by Chan's formula:
     * each worker of synchronized batch norm calls this on its shard, then the workers' moments are
     * {@linkplain ChannelMoments#merge merged}.
     */
    public static void addMoments(BatchShape shape, MemorySegment x, ChannelMoments into) {
        checkInput(shape, x, "x");
        Objects.requireNonNull(into, "into");
        checkChannels(shape, into);
        Workspace w = Workspace.of(shape.channels());
        kernels().moments(layoutOf(shape), x, w.sums, w.secondSums);
        into.merge(shape.valuesPerChannel(), w.sums, w.secondSums);
    }

    // ---------------------------------------------------------------------------------------------
    // Training forward

    /** Training forward on arrays; see {@link #trainingForward(BatchShape, MemorySegment, MemorySegment, MemorySegment, MemorySegment, MemorySegment, MemorySegment, MemorySegment, MemorySegment, BatchNormOptions)}. */
    public static void trainingForward(BatchShape shape, float[] x, float[] y, float[] gamma, float[] beta,
                                       float[] savedMean, float[] savedInvStd, float[] runningMean, float[] runningVar,
                                       BatchNormOptions options) {
        trainingForward(shape, Check.array(x, "x"), Check.array(y, "y"), Check.optionalArray(gamma),
                Check.optionalArray(beta), Check.array(savedMean, "savedMean"), Check.array(savedInvStd, "savedInvStd"),
                Check.optionalArray(runningMean), Check.optionalArray(runningVar), options, null);
    }

    /**
     * Training forward with the statistics of this batch, PyTorch's {@code batch_norm(training=True)}:
     * per channel the batch mean μ and biased variance σ², {@code savedMean = μ},
     * {@code savedInvStd = 1/√(σ² + ε)} (what {@link #trainingBackward} needs), and
     * {@code y = f((x − μ)·(γ·invstd) + β)}, f the ReLU when {@code options.relu()}. When running buffers
     * are given they are updated: {@code running = (1 − m)·running + m·batch}, the variance unbiased
     * ({@code σ²·n/(n − 1)}), in float64 then rounded. A channel of constant values gets
     * {@code invstd = 1/√ε} and finite outputs.
     *
     * @param shape       the layout of x and y; N·S must be at least 2 (PyTorch raises "Expected more than 1
     *                    value per channel when training" below that, and so does this)
     * @param x           the input
     * @param y           the output; may be x
     * @param gamma       the scale γ, C floats, or null for 1
     * @param beta        the shift β, C floats, or null for 0
     * @param savedMean   written: μ per channel
     * @param savedInvStd written: {@code 1/√(σ² + ε)} per channel
     * @param runningMean updated in place, or null (then runningVar must be null too)
     * @param runningVar  updated in place, or null
     */
    public static void trainingForward(BatchShape shape, MemorySegment x, MemorySegment y, MemorySegment gamma,
                                       MemorySegment beta, MemorySegment savedMean, MemorySegment savedInvStd,
                                       MemorySegment runningMean, MemorySegment runningVar, BatchNormOptions options) {
        trainingForward(shape, x, y, gamma, beta, savedMean, savedInvStd, runningMean, runningVar, options, null);
    }

    /** Training forward on arrays with given statistics; see the segment form. */
    public static void trainingForward(BatchShape shape, float[] x, float[] y, float[] gamma, float[] beta,
                                       float[] savedMean, float[] savedInvStd, float[] runningMean, float[] runningVar,
                                       BatchNormOptions options, ChannelMoments statistics) {
        Objects.requireNonNull(statistics, "statistics");
        trainingForward(shape, Check.array(x, "x"), Check.array(y, "y"), Check.optionalArray(gamma),
                Check.optionalArray(beta), Check.array(savedMean, "savedMean"), Check.array(savedInvStd, "savedInvStd"),
                Check.optionalArray(runningMean), Check.optionalArray(runningVar), options, statistics);
    }

    /**
     * Training forward with statistics computed elsewhere, for synchronized batch norm: the moments of the
     * whole batch merged from every worker's {@link #addMoments}, in place of this shard's own. Otherwise
     * as {@link #trainingForward(BatchShape, MemorySegment, MemorySegment, MemorySegment, MemorySegment,
     * MemorySegment, MemorySegment, MemorySegment, MemorySegment, BatchNormOptions)}; the unbiased
     * running variance uses the merged count.
     *
     * @param statistics the batch's moments, C channels, count at least 2; null to compute them from x
     */
    public static void trainingForward(BatchShape shape, MemorySegment x, MemorySegment y, MemorySegment gamma,
                                       MemorySegment beta, MemorySegment savedMean, MemorySegment savedInvStd,
                                       MemorySegment runningMean, MemorySegment runningVar, BatchNormOptions options,
                                       ChannelMoments statistics) {
        checkForward(shape, x, y, gamma, beta, options);
        checkPerChannelOutput(shape, savedMean, "savedMean");
        checkPerChannelOutput(shape, savedInvStd, "savedInvStd");
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("runningMean and runningVar must be given together (runningMean is "
                    + (runningMean == null ? "null" : "given") + ", runningVar is " + (runningVar == null ? "null" : "given") + ")");
        }
        if (runningMean != null) {
            checkPerChannelOutput(shape, runningMean, "runningMean");
            checkPerChannelOutput(shape, runningVar, "runningVar");
        }
        Check.separation().output(y, "y").output(savedMean, "savedMean").output(savedInvStd, "savedInvStd")
                .output(runningMean, "runningMean").output(runningVar, "runningVar")
                .input(gamma, "gamma").input(beta, "beta").done();
        Check.separation().output(savedMean, "savedMean").output(savedInvStd, "savedInvStd")
                .output(runningMean, "runningMean").output(runningVar, "runningVar").input(x, "x").done();
        long count;
        if (statistics == null) {
            count = shape.valuesPerChannel();
            if (count < 2) {
                throw new IllegalArgumentException("shape " + shape + " has " + count
                        + " value per channel; training needs more than 1 (as PyTorch)");
            }
        } else {
            checkChannels(shape, statistics);
            count = statistics.count();
            if (count < 2) {
                throw new IllegalArgumentException("statistics have count " + count
                        + "; training needs more than 1 value per channel (as PyTorch)");
            }
        }

        int channels = shape.channels();
        Workspace w = Workspace.of(channels);
        ChannelLayout layout = layoutOf(shape);
        if (statistics == null) {
            kernels().moments(layout, x, w.sums, w.secondSums);
        } else {
            for (int c = 0; c < channels; c++) {
                w.sums[c] = statistics.mean(c);
                w.secondSums[c] = statistics.m2(c);
            }
        }
        double inverse = Counts.exactInverse(count);
        for (int c = 0; c < channels; c++) {
            w.center[c] = (float) w.sums[c];
            w.invStd[c] = (float) (1 / Math.sqrt(Counts.divide(w.secondSums[c], count, inverse) + options.epsilon()));
        }
        MemorySegment.copy(w.center, 0, savedMean, Floats.LAYOUT, 0, channels);
        MemorySegment.copy(w.invStd, 0, savedInvStd, Floats.LAYOUT, 0, channels);
        if (runningMean != null) {
            double m = options.momentum();
            float[] means = read(runningMean, w.xScale, channels, 0);
            float[] variances = read(runningVar, w.bias, channels, 0);
            for (int c = 0; c < channels; c++) {
                means[c] = (float) ((1 - m) * means[c] + m * w.sums[c]);
                variances[c] = (float) ((1 - m) * variances[c] + m * (w.secondSums[c] / (count - 1)));
            }
            MemorySegment.copy(means, 0, runningMean, Floats.LAYOUT, 0, channels);
            MemorySegment.copy(variances, 0, runningVar, Floats.LAYOUT, 0, channels);
        }
        kernels().normalize(layout, x, y, trainingAffine(channels, gamma, beta, options.relu(), w));
    }

    /**
     * The forward map of training from {@code w.center} (μ) and {@code w.invStd}: scale γ·invstd in float, as
     * the backward pass recomputes it.
     */
    private static ChannelAffine trainingAffine(int channels, MemorySegment gamma, MemorySegment beta, boolean relu,
                                                Workspace w) {
        read(gamma, w.scale, channels, 1f);
        for (int c = 0; c < channels; c++) {
            w.scale[c] *= w.invStd[c];
        }
        read(beta, w.shift, channels, 0f);
        return w.centerScaleShift(relu);
    }

    /** The C floats of s into the first C of into, or {@code absent} in each for a null s; returns into. */
    private static float[] read(MemorySegment s, float[] into, int channels, float absent) {
        if (s == null) {
            Arrays.fill(into, 0, channels, absent);
        } else {
            MemorySegment.copy(s, Floats.LAYOUT, 0, into, 0, channels);
        }
        return into;
    }

    // ---------------------------------------------------------------------------------------------
    // Inference

    /** Inference forward on arrays; see the segment form. */
    public static void inferenceForward(BatchShape shape, float[] x, float[] y, float[] gamma, float[] beta,
                                        float[] runningMean, float[] runningVar, BatchNormOptions options) {
        inferenceForward(shape, Check.array(x, "x"), Check.array(y, "y"), Check.optionalArray(gamma),
                Check.optionalArray(beta), Check.array(runningMean, "runningMean"), Check.array(runningVar, "runningVar"),
                options);
    }

    /**
     * Inference with the running statistics, PyTorch's {@code batch_norm(training=False)}: folded per
     * channel to {@code scale = γ/√(runningVar + ε)} (float64, rounded once) and applied in one pass as
     * {@code y = f((x − runningMean)·scale + β)}. Momentum is not used.
     *
     * @param runningMean C floats, read
     * @param runningVar  C floats, read; {@code runningVar + ε} should be positive (else NaN, as PyTorch)
     */
    public static void inferenceForward(BatchShape shape, MemorySegment x, MemorySegment y, MemorySegment gamma,
                                        MemorySegment beta, MemorySegment runningMean, MemorySegment runningVar,
                                        BatchNormOptions options) {
        checkForward(shape, x, y, gamma, beta, options);
        checkPerChannel(shape, runningMean, "runningMean");
        checkPerChannel(shape, runningVar, "runningVar");
        Check.separation().output(y, "y").input(gamma, "gamma").input(beta, "beta").input(runningMean, "runningMean")
                .input(runningVar, "runningVar").done();
        Workspace w = Workspace.of(shape.channels());
        kernels().normalize(layoutOf(shape), x, y,
                inferenceAffine(shape.channels(), gamma, beta, runningMean, runningVar, options, w));
    }

    private static ChannelAffine inferenceAffine(int channels, MemorySegment gamma, MemorySegment beta,
                                                 MemorySegment runningMean, MemorySegment runningVar,
                                                 BatchNormOptions options, Workspace w) {
        read(runningMean, w.center, channels, 0);
        read(runningVar, w.invStd, channels, 0);
        read(gamma, w.scale, channels, 1f);
        for (int c = 0; c < channels; c++) {
            double invStd = 1 / Math.sqrt((double) w.invStd[c] + options.epsilon());
            w.invStd[c] = (float) invStd;
            w.scale[c] = (float) (w.scale[c] * invStd);
        }
        read(beta, w.shift, channels, 0f);
        return w.centerScaleShift(options.relu());
    }

    // ---------------------------------------------------------------------------------------------
    // Backward

    /** Training backward on arrays; see the segment form. */
    public static void trainingBackward(BatchShape shape, float[] x, float[] dy, float[] dx, float[] gamma,
                                        float[] beta, float[] savedMean, float[] savedInvStd, float[] dGamma,
                                        float[] dBeta, boolean relu) {
        trainingBackward(shape, Check.array(x, "x"), Check.array(dy, "dy"), Check.array(dx, "dx"),
                Check.optionalArray(gamma), Check.optionalArray(beta), Check.array(savedMean, "savedMean"),
                Check.array(savedInvStd, "savedInvStd"), Check.optionalArray(dGamma), Check.optionalArray(dBeta), relu);
    }

    /**
     * Backward of {@link #trainingForward} (PyTorch's {@code native_batch_norm_backward} in training), with
     * x̂ = (x − μ)·invstd and n = N·S: {@code dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂))},
     * {@code dγ = Σ dy·x̂}, {@code dβ = Σ dy}. With {@code relu}, dy first passes the ReLU's gradient (0
     * where the forward value was {@code <= 0}), recomputed from x bit for bit as the forward computed it,
     * so no mask needs to be stored. Two passes: the sums, then dx.
     *
     * @param gamma       as given to the forward, or null
     * @param beta        as given to the forward, or null; read only with relu
     * @param savedMean   from the forward
     * @param savedInvStd from the forward
     * @param dx          written; may be x or dy
     * @param dGamma      written, or null when not wanted
     * @param dBeta       written, or null when not wanted
     */
    public static void trainingBackward(BatchShape shape, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                        MemorySegment gamma, MemorySegment beta, MemorySegment savedMean,
                                        MemorySegment savedInvStd, MemorySegment dGamma, MemorySegment dBeta,
                                        boolean relu) {
        checkBackward(shape, x, dy, dx, gamma, beta, dGamma, dBeta, savedMean, savedInvStd, "savedMean",
                "savedInvStd");
        int channels = shape.channels();
        Workspace w = Workspace.of(channels);
        read(savedMean, w.center, channels, 0);
        read(savedInvStd, w.invStd, channels, 0);
        ChannelAffine affine = trainingAffine(channels, gamma, beta, relu, w);
        ChannelLayout layout = layoutOf(shape);
        kernels().gradientSums(layout, x, dy, affine, w.sums, w.secondSums, null, null);
        double n = layout.count();
        read(gamma, w.dyScale, channels, 1f);
        for (int c = 0; c < channels; c++) {
            double invStd = w.invStd[c];
            double a = w.dyScale[c] * invStd;
            w.dyScale[c] = (float) a;
            w.xScale[c] = (float) (-a * invStd * invStd * w.secondSums[c] / n);
            w.bias[c] = (float) (-a * w.sums[c] / n);
        }
        writeParameterGradients(dGamma, dBeta, channels, w);
        kernels().inputGradient(layout, x, dy, dx, affine, w.dyScale, w.xScale, w.bias);
    }

    /** Inference backward on arrays; see the segment form. */
    public static void inferenceBackward(BatchShape shape, float[] x, float[] dy, float[] dx, float[] gamma,
                                         float[] beta, float[] runningMean, float[] runningVar, float[] dGamma,
                                         float[] dBeta, BatchNormOptions options) {
        inferenceBackward(shape, Check.array(x, "x"), Check.array(dy, "dy"), Check.array(dx, "dx"),
                Check.optionalArray(gamma), Check.optionalArray(beta), Check.array(runningMean, "runningMean"),
                Check.array(runningVar, "runningVar"), Check.optionalArray(dGamma), Check.optionalArray(dBeta),
                options);
    }

    /**
     * Backward of {@link #inferenceForward} (the statistics are constants): {@code dx = dy·γ·invstd} with
     * {@code invstd = 1/√(runningVar + ε)}, {@code dγ = Σ dy·(x − runningMean)·invstd}, {@code dβ = Σ dy};
     * with {@code options.relu()}, dy first passes the ReLU's gradient as in {@link #trainingBackward}.
     * dx is {@code dy'·(γ·invstd)} rounded once, whatever x holds; it does not depend on the sums for dγ
     * and dβ, so on NCHW layouts they are taken in the pass that writes dx (interleaved layouts write dx row
     * by row after them). Without the ReLU and with neither dγ nor dβ wanted, dx is computed from dy alone.
     *
     * @param dx     written; may be x or dy
     * @param dGamma written, or null
     * @param dBeta  written, or null
     */
    public static void inferenceBackward(BatchShape shape, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                         MemorySegment gamma, MemorySegment beta, MemorySegment runningMean,
                                         MemorySegment runningVar, MemorySegment dGamma, MemorySegment dBeta,
                                         BatchNormOptions options) {
        Objects.requireNonNull(options, "options");
        checkBackward(shape, x, dy, dx, gamma, beta, dGamma, dBeta, runningMean, runningVar, "runningMean",
                "runningVar");
        int channels = shape.channels();
        Workspace w = Workspace.of(channels);
        ChannelAffine affine = inferenceAffine(channels, gamma, beta, runningMean, runningVar, options, w);
        ChannelLayout layout = layoutOf(shape);
        if (dGamma != null || dBeta != null || options.relu()) {
            // dx does not depend on the sums: the kernels may write it in the pass that sums
            kernels().gradientSums(layout, x, dy, affine, w.sums, w.secondSums, dx, affine.scale());
            writeParameterGradients(dGamma, dBeta, channels, w);
        } else {
            // dx = (dy − 0)·scale + 0: the forward map applied to dy, the same bits as fma(dy, scale, 0)
            Arrays.fill(w.xScale, 0, channels, 0);
            kernels().normalize(layout, dy, dx, w.scaleOnly());
        }
    }

    /** {@code dγ = invstd·Σ dy'·(x − μ)} and {@code dβ = Σ dy'} from the workspace, into those wanted. */
    private static void writeParameterGradients(MemorySegment dGamma, MemorySegment dBeta, int channels, Workspace w) {
        if (dGamma != null) {
            for (int c = 0; c < channels; c++) {
                w.gammaGradient[c] = (float) (w.invStd[c] * w.secondSums[c]);
            }
            MemorySegment.copy(w.gammaGradient, 0, dGamma, Floats.LAYOUT, 0, channels);
        }
        if (dBeta != null) {
            for (int c = 0; c < channels; c++) {
                w.betaGradient[c] = (float) w.sums[c];
            }
            MemorySegment.copy(w.betaGradient, 0, dBeta, Floats.LAYOUT, 0, channels);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Folding

    /** Folding on arrays; see the segment form. */
    public static void foldIntoLinear(int outputs, int inputs, float[] w, float[] b, float[] gamma, float[] beta,
                                      float[] runningMean, float[] runningVar, float epsilon, float[] foldedW,
                                      float[] foldedB) {
        foldIntoLinear(outputs, inputs, Check.array(w, "w"), Check.optionalArray(b), Check.optionalArray(gamma),
                Check.optionalArray(beta), Check.array(runningMean, "runningMean"), Check.array(runningVar, "runningVar"),
                epsilon, Check.array(foldedW, "foldedW"), Check.array(foldedB, "foldedB"));
    }

    /**
     * Folds an inference batch norm into the linear layer before it, as inference engines do to drop it:
     * for {@code z = W·x + b} (W row-major {@code [outputs, inputs]}, row c feeding channel c; a
     * convolution's {@code [C, Cin·kh·kw]} likewise), {@code BN(z) = W′·x + b′} with
     * {@code s = γ/√(runningVar + ε)}, {@code W′[c, :] = s_c·W[c, :]} and
     * {@code b′_c = (b_c − runningMean_c)·s_c + β_c} (s in float64, rounded once).
     *
     * @param b       the bias, C floats, or null for none
     * @param foldedW written, {@code outputs·inputs} floats; may be w
     * @param foldedB written, C floats; may be b
     */
    public static void foldIntoLinear(int outputs, int inputs, MemorySegment w, MemorySegment b, MemorySegment gamma,
                                      MemorySegment beta, MemorySegment runningMean, MemorySegment runningVar,
                                      float epsilon, MemorySegment foldedW, MemorySegment foldedB) {
        if (outputs < 1 || inputs < 0) {
            throw new IllegalArgumentException("outputs = " + outputs + " must be >= 1 and inputs = " + inputs
                    + " >= 0");
        }
        long weights = (long) outputs * inputs;
        checkWeights("w", Check.floats(w, "w"), outputs, inputs);
        checkWeights("foldedW", Check.output(foldedW, "foldedW"), outputs, inputs);
        BatchShape channelsOnly = BatchShape.rows(1, outputs);
        checkOptionalPerChannel(channelsOnly, b, "b");
        checkOptionalPerChannel(channelsOnly, gamma, "gamma");
        checkOptionalPerChannel(channelsOnly, beta, "beta");
        checkPerChannel(channelsOnly, runningMean, "runningMean");
        checkPerChannel(channelsOnly, runningVar, "runningVar");
        checkPerChannelOutput(channelsOnly, foldedB, "foldedB");
        Check.positive(epsilon, "epsilon");
        Check.sameOrDisjoint(foldedW, "foldedW", w, "w");
        if (b != null) {
            Check.sameOrDisjoint(foldedB, "foldedB", b, "b");
        }
        Check.separation().output(foldedW, "foldedW").output(foldedB, "foldedB").input(gamma, "gamma")
                .input(beta, "beta").input(runningMean, "runningMean").input(runningVar, "runningVar").done();
        Check.disjoint(foldedW, "foldedW", foldedB, "foldedB");
        if (b != null) {
            Check.disjoint(foldedW, "foldedW", b, "b");
        }
        Check.disjoint(foldedB, "foldedB", w, "w");

        if (!Check.same(foldedW, w)) {
            MemorySegment.copy(w, 0, foldedW, 0, weights * Float.BYTES);
        }
        var penalties = Providers.kernels().penalties();
        for (int c = 0; c < outputs; c++) {
            double scale = gammaOf(gamma, c) / Math.sqrt((double) Floats.get(runningVar, c) + epsilon);
            Norms.scale(penalties, foldedW, (long) c * inputs, inputs, (float) scale);
            double bias = b == null ? 0 : Floats.get(b, c);
            Floats.set(foldedB, c, (float) ((bias - Floats.get(runningMean, c)) * scale + betaOf(beta, c)));
        }
    }

    private static void checkWeights(String name, long n, int outputs, int inputs) {
        if (n != (long) outputs * inputs) {
            throw new IllegalArgumentException(name + " has " + n + " elements but outputs·inputs = " + outputs + "·"
                    + inputs + " has " + (long) outputs * inputs);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Checks and layout

    /** The kernels' view of a shape: channels-first with S = 1 is the same memory as [N, C]. */
    static ChannelLayout layoutOf(BatchShape shape) {
        return switch (shape.layout()) {
            case ROWS -> ChannelLayout.interleaved(shape.batch(), shape.channels());
            case CHANNELS_LAST -> ChannelLayout.interleaved(shape.valuesPerChannel(), shape.channels());
            case CHANNELS_FIRST -> shape.spatial() == 1
                    ? ChannelLayout.interleaved(shape.batch(), shape.channels())
                    : ChannelLayout.planar(shape.batch(), shape.channels(), shape.spatial());
        };
    }

    private static float gammaOf(MemorySegment gamma, int c) {
        return gamma == null ? 1f : Floats.get(gamma, c);
    }

    private static float betaOf(MemorySegment beta, int c) {
        return beta == null ? 0f : Floats.get(beta, c);
    }

    private static void checkForward(BatchShape shape, MemorySegment x, MemorySegment y, MemorySegment gamma,
                                     MemorySegment beta, BatchNormOptions options) {
        checkInput(shape, x, "x");
        checkOutput(shape, y, "y");
        Objects.requireNonNull(options, "options");
        checkOptionalPerChannel(shape, gamma, "gamma");
        checkOptionalPerChannel(shape, beta, "beta");
        Check.sameOrDisjoint(y, "y", x, "x");
    }

    private static void checkBackward(BatchShape shape, MemorySegment x, MemorySegment dy, MemorySegment dx,
                                      MemorySegment gamma, MemorySegment beta, MemorySegment dGamma, MemorySegment dBeta,
                                      MemorySegment center, MemorySegment spread, String centerName,
                                      String spreadName) {
        checkInput(shape, x, "x");
        checkInput(shape, dy, "dy");
        checkOutput(shape, dx, "dx");
        checkOptionalPerChannel(shape, gamma, "gamma");
        checkOptionalPerChannel(shape, beta, "beta");
        checkPerChannel(shape, center, centerName);
        checkPerChannel(shape, spread, spreadName);
        if (dGamma != null) {
            checkPerChannelOutput(shape, dGamma, "dGamma");
        }
        if (dBeta != null) {
            checkPerChannelOutput(shape, dBeta, "dBeta");
        }
        Check.sameOrDisjoint(dx, "dx", x, "x");
        Check.sameOrDisjoint(dx, "dx", dy, "dy");
        Check.separation().output(dx, "dx").output(dGamma, "dGamma").output(dBeta, "dBeta").input(gamma, "gamma")
                .input(beta, "beta").input(center, centerName).input(spread, spreadName).done();
        // dx may be x or dy
        Check.separation().output(dGamma, "dGamma").output(dBeta, "dBeta").input(x, "x").input(dy, "dy").done();
    }

    private static void checkInput(BatchShape shape, MemorySegment s, String name) {
        Objects.requireNonNull(shape, "shape");
        checkSize(shape, Check.floats(s, name), shape.elements(), name, "N·C·S");
    }

    private static void checkOutput(BatchShape shape, MemorySegment s, String name) {
        checkSize(shape, Check.output(s, name), shape.elements(), name, "N·C·S");
    }

    private static void checkPerChannel(BatchShape shape, MemorySegment s, String name) {
        checkSize(shape, Check.floats(s, name), shape.channels(), name, "C");
    }

    private static void checkOptionalPerChannel(BatchShape shape, MemorySegment s, String name) {
        if (s != null) {
            checkPerChannel(shape, s, name);
        }
    }

    private static void checkPerChannelOutput(BatchShape shape, MemorySegment s, String name) {
        checkSize(shape, Check.output(s, name), shape.channels(), name, "C");
    }

    private static void checkSize(BatchShape shape, long size, long expected, String name, String what) {
        if (size != expected) {
            throw new IllegalArgumentException(name + " has " + size + " floats but shape " + shape + " needs " + what
                    + " = " + expected);
        }
    }

    private static void checkChannels(BatchShape shape, ChannelMoments moments) {
        if (moments.channels() != shape.channels()) {
            throw new IllegalArgumentException("moments have " + moments.channels() + " channels but shape " + shape
                    + " has C = " + shape.channels());
        }
    }
}
