package dev.simdreg;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;


/**
 * Batch norm's bad input: each case throws with a message naming the argument (and its size or value,
 * and the shape), and after the failed call every buffer holds what it held before.
 */
class BatchNormBadInputTest {

    private static final BatchShape SHAPE = BatchShape.rows(4, 9);
    private static final BatchNormOptions OPTIONS = BatchNormOptions.defaults();

    /** One layer's buffers as arrays and as native segments, watched by {@link KnownBuffers#untouched()}. */
    private static final class Layer extends KnownBuffers {
        final float[] x = watchedArray(1, 36);
        final float[] y = watchedArray(2, 36);
        final float[] dy = watchedArray(3, 36);
        final float[] gamma = watchedArray(4, 9);
        final float[] beta = watchedArray(5, 9);
        final float[] mean = watchedArray(6, 9);
        final float[] invStd = watchedArray(7, 9);
        final float[] runningMean = watchedArray(8, 9);
        final float[] runningVar = watchedArray(9, 9);
        final MemorySegment sx = watchedSegment(x);
        final MemorySegment sy = watchedSegment(y);
        final MemorySegment wide = watchedSegment(filled(10, 80));
        final MemorySegment sChannels = watchedSegment(filled(11, 9));

        /** n floats of wide from float k: slices at different k partially overlap. */
        MemorySegment wideAt(int k, int n) {
            return wide.asSlice(4L * k, 4L * n);
        }

        void forward(MemorySegment x, MemorySegment y, MemorySegment mean, MemorySegment invStd) {
            BatchNorm.trainingForward(SHAPE, x, y, null, null, mean, invStd, null, null, OPTIONS);
        }
    }

    private final Rejections<Layer> rejections = new Rejections<>(Layer::new);

    private void expect(String name, Class<? extends Throwable> type, Rejections.Call<Layer> call, String... words) {
        rejections.expect(name, type, call, words);
    }

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;

    @TestFactory
    Stream<DynamicTest> badInputIsRejectedBeforeAnyWrite() {
        expect("shape with N = 0", IAE, l -> BatchShape.rows(0, 9), "N=0", "N·S = 0");
        expect("shape with S = 0", IAE, l -> BatchShape.channelsFirst(2, 3, 0), "S=0");
        expect("null shape", NPE, l -> BatchNorm.trainingForward(null, l.x, l.y, null, null, l.mean, l.invStd, null,
                null, OPTIONS), "shape");
        expect("null x", NPE, l -> BatchNorm.trainingForward(SHAPE, null, l.y, null, null, l.mean, l.invStd, null, null,
                OPTIONS), "x");
        expect("x too large for the shape", IAE, l -> l.forward(l.wideAt(0, 37), l.sy, l.sChannels, l.nativeCopy(l.invStd)),
                "x has 37 floats", "[N=4, C=9]", "36");
        expect("gamma of 8", IAE, l -> BatchNorm.trainingForward(SHAPE, l.x, l.y, new float[8], null, l.mean, l.invStd,
                null, null, OPTIONS), "gamma has 8 floats", "C = 9");
        expect("read-only y", IAE, l -> l.forward(l.sx, l.sy.asReadOnly(), l.sChannels, l.nativeCopy(l.invStd)), "y",
                "read-only");
        expect("y partially overlaps x", IAE, l -> l.forward(l.wideAt(0, 36), l.wideAt(1, 36), l.sChannels,
                l.nativeCopy(l.invStd)), "y", "x", "partially overlaps");
        expect("savedMean is savedInvStd", IAE, l -> l.forward(l.sx, l.sy, l.sChannels, l.sChannels), "savedMean",
                "savedInvStd", "overlap");
        expect("savedMean inside x", IAE, l -> l.forward(l.wideAt(0, 36), l.sy, l.wideAt(30, 9), l.sChannels),
                "savedMean", "x", "overlap");
        expect("runningMean without runningVar", IAE, l -> BatchNorm.trainingForward(SHAPE, l.x, l.y, null, null, l.mean,
                l.invStd, l.runningMean, null, OPTIONS), "runningMean", "runningVar", "together");
        expect("one value per channel", IAE, l -> BatchNorm.trainingForward(BatchShape.channelsFirst(1, 36, 1), l.x, l.y,
                null, null, new float[36], new float[36], null, null, OPTIONS), "1 value per channel", "more than 1");
        expect("epsilon 0", IAE, l -> OPTIONS.withEpsilon(0), "epsilon", "0.0");
        expect("epsilon NaN", IAE, l -> OPTIONS.withEpsilon(Float.NaN), "epsilon", "NaN");
        expect("epsilon infinite", IAE, l -> OPTIONS.withEpsilon(Float.POSITIVE_INFINITY), "epsilon", "Infinity");
        expect("momentum 1.5", IAE, l -> OPTIONS.withMomentum(1.5f), "momentum", "1.5");
        expect("momentum negative", IAE, l -> OPTIONS.withMomentum(-0.1f), "momentum", "-0.1");
        expect("momentum NaN", IAE, l -> OPTIONS.withMomentum(Float.NaN), "momentum", "NaN");
        expect("cumulative before the first batch", IAE, l -> BatchNorm.cumulativeMomentum(0), "batchesTracked", "0");
        expect("moments of other channels", IAE, l -> BatchNorm.trainingForward(SHAPE, l.x, l.y, null, null, l.mean,
                l.invStd, null, null, OPTIONS, new ChannelMoments(8)), "8 channels", "C = 9");
        expect("moments of one value", IAE, l -> {
            ChannelMoments one = new ChannelMoments(9);
            BatchNorm.addMoments(BatchShape.rows(1, 9), new float[9], one);
            BatchNorm.trainingForward(SHAPE, l.x, l.y, null, null, l.mean, l.invStd, null, null, OPTIONS, one);
        }, "count 1");
        expect("addMoments of other channels", IAE, l -> BatchNorm.addMoments(SHAPE, l.x, new ChannelMoments(3)),
                "3 channels");
        expect("merge of other channels", IAE, l -> new ChannelMoments(9).merge(new ChannelMoments(3)), "3 channels");
        expect("moments from NaN", IAE, l -> ChannelMoments.of(2, new double[] {Double.NaN}, new double[] {1}), "mean",
                "NaN");
        expect("moments with negative M2", IAE, l -> ChannelMoments.of(2, new double[] {0}, new double[] {-1}), "m2",
                "-1.0");
        expect("inference without runningVar", NPE, l -> BatchNorm.inferenceForward(SHAPE, l.x, l.y, null, null,
                l.runningMean, null, OPTIONS), "runningVar");
        expect("inference y overlaps runningMean", IAE, l -> BatchNorm.inferenceForward(SHAPE, l.wideAt(0, 36),
                l.wideAt(40, 36), null, null, l.wideAt(41, 9), l.sChannels, OPTIONS), "y", "runningMean", "overlap");
        expect("backward dx partially overlaps dy", IAE, l -> BatchNorm.trainingBackward(SHAPE, l.sx, l.wideAt(0, 36),
                l.wideAt(2, 36), null, null, l.sChannels, l.nativeCopy(l.invStd), null, null, false), "dx", "dy",
                "partially overlaps");
        expect("backward dGamma is gamma", IAE, l -> BatchNorm.trainingBackward(SHAPE, l.x, l.dy, l.y, l.gamma, null,
                l.mean, l.invStd, l.gamma, null, false), "dGamma", "gamma", "overlap");
        expect("backward savedInvStd of 10", IAE, l -> BatchNorm.trainingBackward(SHAPE, l.x, l.dy, l.y, null, null,
                l.mean, new float[10], null, null, false), "savedInvStd has 10 floats");
        expect("backward dBeta in dx", IAE, l -> BatchNorm.trainingBackward(SHAPE, l.sx, l.nativeCopy(l.dy), l.wideAt(0, 36),
                null, null, l.sChannels, l.nativeCopy(l.invStd), null, l.wideAt(35, 9), false), "dBeta", "overlap");
        expect("inference backward without options", NPE, l -> BatchNorm.inferenceBackward(SHAPE, l.x, l.dy, l.y, null,
                null, l.runningMean, l.runningVar, null, null, null), "options");
        expect("fold: w of 35", IAE, l -> BatchNorm.foldIntoLinear(9, 4, new float[35], null, null, null, l.runningMean,
                l.runningVar, 1e-5f, new float[36], new float[9]), "w", "35", "outputs·inputs");
        expect("fold: epsilon 0", IAE, l -> BatchNorm.foldIntoLinear(9, 4, l.x, null, null, null, l.runningMean,
                l.runningVar, 0, new float[36], new float[9]), "epsilon");
        expect("fold: foldedB inside foldedW", IAE, l -> BatchNorm.foldIntoLinear(9, 4, l.sx, null, null, null,
                l.nativeCopy(l.runningMean), l.nativeCopy(l.runningVar), 1e-5f, l.wideAt(0, 36), l.wideAt(30, 9)), "foldedW",
                "foldedB", "overlap");
        expect("fold: no outputs", IAE, l -> BatchNorm.foldIntoLinear(0, 4, new float[0], null, null, null, new float[0],
                new float[0], 1e-5f, new float[0], new float[0]), "outputs = 0");
        expect("closed arena", IllegalStateException.class, l -> {
            Arena other = Arena.ofConfined();
            MemorySegment gone = other.allocate(36 * 4L);
            other.close();
            l.forward(gone, l.sy, l.sChannels, l.nativeCopy(l.invStd));
        }, "x", "closed");
        return rejections.tests();
    }
}
