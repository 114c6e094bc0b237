package dev.simdreg;

/**
 * The shape and memory layout of a batch-normalization input: N examples, C channels (features) and S
 * positions per channel (S = H·W for images, 1 for dense layers). Statistics are per channel, over the
 * N·S values of that channel. Buffers hold {@code N·C·S} floats, row-major in the order of the layout.
 *
 * @param layout   the order of the three dimensions in memory
 * @param batch    N, {@code >= 1}
 * @param channels C, {@code >= 1}
 * @param spatial  S, {@code >= 1}
 */
public record BatchShape(Layout layout, int batch, int channels, int spatial) {

    /** The order of N, C and S in memory, outermost first. */
    public enum Layout {
        /** {@code [N, C]}: the C features of one example contiguous (dense layers); S is 1. */
        ROWS,
        /** {@code [N, C, S]}: NCHW, each channel of each example a contiguous run of S values. */
        CHANNELS_FIRST,
        /** {@code [N, S, C]}: NHWC, the C channels of each position contiguous. */
        CHANNELS_LAST
    }

    public BatchShape {
        if (layout == null) {
            throw new NullPointerException("layout");
        }
        if (batch < 1 || channels < 1 || spatial < 1) {
            throw new IllegalArgumentException("shape " + describe(layout, batch, channels, spatial)
                    + " must have N, C and S >= 1 (N·S = 0 leaves no value to take statistics of)");
        }
        if (layout == Layout.ROWS && spatial != 1) {
            throw new IllegalArgumentException("shape " + describe(layout, batch, channels, spatial)
                    + ": the ROWS layout has S = 1");
        }
        if ((long) batch * channels * spatial > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("shape " + describe(layout, batch, channels, spatial) + " is too large");
        }
    }

    /** {@code [N, C]}. */
    public static BatchShape rows(int batch, int channels) {
        return new BatchShape(Layout.ROWS, batch, channels, 1);
    }

    /** {@code [N, C, S]} (NCHW with S = H·W). */
    public static BatchShape channelsFirst(int batch, int channels, int spatial) {
        return new BatchShape(Layout.CHANNELS_FIRST, batch, channels, spatial);
    }

    /** {@code [N, S, C]} (NHWC with S = H·W). */
    public static BatchShape channelsLast(int batch, int spatial, int channels) {
        return new BatchShape(Layout.CHANNELS_LAST, batch, channels, spatial);
    }

    /** {@code N·C·S}, the floats of an input or output buffer. */
    public long elements() {
        return (long) batch * channels * spatial;
    }

    /** {@code N·S}, the values each channel's statistics are taken over. */
    public long valuesPerChannel() {
        return (long) batch * spatial;
    }

    @Override
    public String toString() {
        return describe(layout, batch, channels, spatial);
    }

    private static String describe(Layout layout, int n, int c, int s) {
        return switch (layout) {
            case ROWS -> "[N=" + n + ", C=" + c + "]";
            case CHANNELS_FIRST -> "[N=" + n + ", C=" + c + ", S=" + s + "] (channels first)";
            case CHANNELS_LAST -> "[N=" + n + ", S=" + s + ", C=" + c + "] (channels last)";
        };
    }
}
