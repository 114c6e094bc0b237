package dev.simdreg;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-channel statistics of a set of values that can be merged exactly: the count n, the mean and
 * {@code M2 = Σ (x − mean)²}, in float64. Each thread or data-parallel worker adds its shard with
 * {@link BatchNorm#addMoments}; {@link #merge} combines the partials by Chan, Golub and LeVeque's pairwise
 * formula, which loses nothing to cancellation, so the merged statistics are those of one pass over the
 * whole batch up to float64 rounding (far below the float32 outputs they feed). Synchronized batch norm
 * then passes the merged moments to {@link BatchNorm#trainingForward(BatchShape, java.lang.foreign.MemorySegment,
 * java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment,
 * java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment, java.lang.foreign.MemorySegment,
 * java.lang.foreign.MemorySegment, BatchNormOptions, ChannelMoments)}.
 *
 * <p>Mutable and not thread-safe: one instance per worker, merged after the workers are done.
 */
public final class ChannelMoments {

    private final double[] mean;
    private final double[] m2;
    private long count;

    /** Empty statistics (count 0) of the given number of channels. */
    public ChannelMoments(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("channels = " + channels + " must be >= 1");
        }
        mean = new double[channels];
        m2 = new double[channels];
    }

    /**
     * Statistics received from elsewhere (another process, say), as {@link #count()}, {@link #mean(int)}
     * and {@link #m2(int)} gave them there. The arrays are copied.
     */
    public static ChannelMoments of(long count, double[] mean, double[] m2) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(m2, "m2");
        if (mean.length != m2.length) {
            throw new IllegalArgumentException("m2 has " + m2.length + " channels but mean has " + mean.length);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count = " + count + " must be >= 0");
        }
        for (int c = 0; c < m2.length; c++) {
            if (!Double.isFinite(mean[c]) || !(m2[c] >= 0 && m2[c] < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("channel " + c + ": mean = " + mean[c] + ", m2 = " + m2[c]
                        + "; need a finite mean and a finite m2 >= 0");
            }
        }
        ChannelMoments moments = new ChannelMoments(mean.length);
        System.arraycopy(mean, 0, moments.mean, 0, mean.length);
        System.arraycopy(m2, 0, moments.m2, 0, m2.length);
        moments.count = count;
        return moments;
    }

    public int channels() {
        return mean.length;
    }

    /** The number of values per channel so far. */
    public long count() {
        return count;
    }

    public double mean(int channel) {
        return mean[channel];
    }

    /** {@code Σ (x − mean)²} of the channel. */
    public double m2(int channel) {
        return m2[channel];
    }

    /** The biased variance {@code M2 / n}, which batch norm normalizes with; NaN while the count is 0. */
    public double variance(int channel) {
        return m2[channel] / count;
    }

    /** The unbiased variance {@code M2 / (n − 1)}, which the running variance tracks; NaN below two values. */
    public double unbiasedVariance(int channel) {
        return count < 2 ? Double.NaN : m2[channel] / (count - 1);
    }

    /** Back to count 0. */
    public void clear() {
        count = 0;
        Arrays.fill(mean, 0);
        Arrays.fill(m2, 0);
    }

    /** Adds other's values to these statistics (Chan et al.); other is unchanged. */
    public void merge(ChannelMoments other) {
        Objects.requireNonNull(other, "other");
        if (other.channels() != channels()) {
            throw new IllegalArgumentException("other has " + other.channels() + " channels but these moments have "
                    + channels());
        }
        merge(other.count, other.mean, other.m2);
    }

    /** Chan's pairwise update with a partial of n values; also how {@link BatchNorm} adds a batch. */
    void merge(long n, double[] partMean, double[] partM2) {
        if (n == 0) {
            return;
        }
        long total = count + n;
        double weight = (double) n / total;
        double cross = (double) count * n / total;
        for (int c = 0; c < mean.length; c++) {
            double delta = partMean[c] - mean[c];
            mean[c] += delta * weight;
            m2[c] += partM2[c] + delta * delta * cross;
        }
        count = total;
    }
}
