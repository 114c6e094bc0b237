package dev.simdreg.internal;

/**
 * The two memory orders the batch-norm kernels know. Interleaved: {@code outer} rows of C channels each
 * ({@code [N, C]}, and NHWC with N·S rows). Planar: {@code outer} examples of C runs of {@code inner}
 * values ({@code [N, C, S]}). Element {@code (o, c, s)} is at {@code (o·C + c)·inner + s}.
 *
 * @param planar   whether each channel is a contiguous run per example
 * @param outer    rows (interleaved) or examples (planar)
 * @param channels C
 * @param inner    S for planar, 1 for interleaved
 */
public record ChannelLayout(boolean planar, long outer, int channels, int inner) {

    public static ChannelLayout interleaved(long rows, int channels) {
        return new ChannelLayout(false, rows, channels, 1);
    }

    public static ChannelLayout planar(int examples, int channels, int spatial) {
        return new ChannelLayout(true, examples, channels, spatial);
    }

    /** Values per channel. */
    public long count() {
        return outer * inner;
    }

    /** The offset of run {@code (o, c)}: a row's first float (interleaved) or a channel run's (planar). */
    public long runStart(long o, int c) {
        return (o * channels + c) * inner;
    }
}
