package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The order of the batch-norm sums of an interleaved layout whose rows are shorter than {@link #CHANNELS}
 * channels, and the per-thread table its loops work in. Added row after row, each channel's float sum waits
 * for an add per row: {@code [N, 1]} training forward ran at 1.1 ns per value that way, latency-bound, against
 * 0.11 for 64 channels (JMH). So a short row's channels each have {@code K = 16 / gcd(C, 16)} partial sums:
 * row r adds to partial {@code r mod K} of its channel, rows in order. Partial {@code (ρ, c)} sits at
 * {@code ρ·C + c}, so the {@code K·C = lcm(C, 16)} partials (a period) follow the data's own order: a register
 * of data at any width up to 512 bits adds straight into a register of partials, and the scalar kernels add
 * the same terms in the same order. A block is {@link BatchNormKernels#ROW_BLOCK} terms per partial; its
 * partials are halved, {@code ρ < K/2} taking {@code ρ + K/2}, then K/4 … 1, and each channel's float sum goes
 * to float64, blocks in order.
 */
public final class ShortRows {

    /** Rows of fewer channels are short. */
    public static final int CHANNELS = 16;
    /** Every period is a multiple of it, so of every register's lanes up to 512 bits. */
    private static final int SPAN = 16;
    /** The longest period, of 15 channels. */
    private static final int WIDEST_PERIOD = 15 * SPAN;
    /** Periods in a table: a loop's coefficient patterns and its two sums. */
    private static final int TABLE_PERIODS = 6;
    /** Slots of the moments' table: the shifts K, then the sums of {@code x − K} and of its squares. */
    public static final int SHIFTS = 0, SUMS = 1, SQUARES = 2;
    /**
     * Slots of the gradient sums' and the element-wise loops' table: {@link ChannelAffine}'s center, scale
     * and shift, the gradient's scales and bias; the gradient sums' two sums after dyScale.
     */
    public static final int CENTER = 0, SCALE = 1, SHIFT = 2, DY_SCALE = 3, X_SCALE = 4, BIAS = 5;
    public static final int DY_SUMS = 4, CENTERED_SUMS = 5;

    private static final ThreadLocal<float[]> TABLE =
            ThreadLocal.withInitial(() -> new float[TABLE_PERIODS * WIDEST_PERIOD]);

    private ShortRows() {
    }

    /**
     * A provider's loop over the whole periods at the start of rows {@code [from, to)}, adding into a table's
     * partials as the scalar kernels would; it returns the first row it left to them.
     */
    public interface WholePeriods {

        /** None: the scalar kernels add every row. */
        WholePeriods NONE = new WholePeriods() {
            @Override
            public long addShifted(MemorySegment x, long from, long to, int channels, float[] t) {
                return from;
            }

            @Override
            public long addGradients(MemorySegment x, MemorySegment dy, long from, long to, int channels, float[] t,
                                     boolean relu, MemorySegment dx) {
                return from;
            }
        };

        /** Adds {@code x − K} and its square to the slots {@link #SUMS} and {@link #SQUARES}. */
        long addShifted(MemorySegment x, long from, long to, int channels, float[] t);

        /**
         * Adds {@code dy'} and {@code dy'·(x − center)} to the slots {@link #DY_SUMS} and
         * {@link #CENTERED_SUMS}, writing {@code dx = dy'·dyScale} when dx is given.
         */
        long addGradients(MemorySegment x, MemorySegment dy, long from, long to, int channels, float[] t,
                          boolean relu, MemorySegment dx);
    }

    /** Whether the sums of this layout take the order of short rows. */
    public static boolean of(ChannelLayout layout) {
        return !layout.planar() && layout.channels() < CHANNELS;
    }

    /** K, the partial sums per channel: a power of two that divides {@link BatchNormKernels#ROW_BLOCK}. */
    public static int partialsPerChannel(int channels) {
        return SPAN / Integer.lowestOneBit(channels | SPAN);
    }

    /** Floats in a period, {@code K·C}: rows whose partials are all distinct. */
    public static int period(int channels) {
        return partialsPerChannel(channels) * channels;
    }

    /** This thread's table of {@link #TABLE_PERIODS} periods; contents undefined. */
    public static float[] table() {
        return TABLE.get();
    }

    /** {@code values[0 .. C)} repeated through period {@code slot} of t. */
    public static void repeat(float[] values, int channels, float[] t, int slot) {
        System.arraycopy(values, 0, t, slot * period(channels), channels);
        extend(t, channels, slot);
    }

    /** The first C floats of period {@code slot} of t repeated through the period. */
    public static void extend(float[] t, int channels, int slot) {
        int start = slot * period(channels);
        for (int j = channels, period = period(channels); j < period; j++) {
            t[start + j] = t[start + j - channels];
        }
    }

    /** Rows per block of a float sum: each partial takes {@link BatchNormKernels#ROW_BLOCK} terms. */
    public static long blockRows(int channels) {
        return (long) BatchNormKernels.ROW_BLOCK * partialsPerChannel(channels);
    }

    /** Zeroes period {@code slot} of t: a block's partials before its first row. */
    public static void clear(float[] t, int channels, int slot) {
        int period = period(channels);
        Arrays.fill(t, slot * period, (slot + 1) * period, 0f);
    }

    /**
     * Halves the partials in period {@code slot} of t, in the order of this class, and copies each channel's
     * float sum to {@code into[at + c]}: a block's sums, for {@link BlockSums}.
     */
    public static void halve(float[] t, int channels, int slot, float[] into, int at) {
        int start = slot * period(channels);
        for (int half = partialsPerChannel(channels) / 2; half >= 1; half /= 2) {
            int width = half * channels;
            for (int j = 0; j < width; j++) {
                t[start + j] += t[start + width + j];
            }
        }
        System.arraycopy(t, start, into, at, channels);
    }
}
