package dev.simdreg;

/**
 * A batch of float images: N images of C channels, H rows and W columns, in NCHW (each channel of each
 * image a contiguous H·W plane) or NHWC (the C channels of each pixel contiguous, as decoders write them).
 * Buffers hold {@code N·C·H·W} floats, row-major in the order of the layout. H·W and W·C are at most
 * {@code 2^31 − 1}.
 *
 * @param layout   the order of the dimensions in memory
 * @param images   N, {@code >= 1}
 * @param channels C, {@code >= 1}
 * @param height   H, {@code >= 1}
 * @param width    W, {@code >= 1}
 */
public record ImageShape(Layout layout, int images, int channels, int height, int width) {

    /** The order of the dimensions in memory, outermost first. */
    public enum Layout {
        /** {@code [N, C, H, W]}. */
        NCHW,
        /** {@code [N, H, W, C]}. */
        NHWC
    }

    public ImageShape {
        if (layout == null) {
            throw new NullPointerException("layout");
        }
        if (images < 1 || channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape " + describe(layout, images, channels, height, width)
                    + " must have N, C, H and W >= 1");
        }
        if ((long) height * width > Integer.MAX_VALUE || (long) width * channels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + describe(layout, images, channels, height, width)
                    + ": a plane of H·W and a row of W·C values must each fit in an int");
        }
        if ((double) images * channels * height * width > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("shape " + describe(layout, images, channels, height, width)
                    + " is too large");
        }
    }

    /** {@code [N, C, H, W]}. */
    public static ImageShape nchw(int images, int channels, int height, int width) {
        return new ImageShape(Layout.NCHW, images, channels, height, width);
    }

    /** {@code [N, H, W, C]}. */
    public static ImageShape nhwc(int images, int height, int width, int channels) {
        return new ImageShape(Layout.NHWC, images, channels, height, width);
    }

    /** {@code H·W}. */
    public long pixels() {
        return (long) height * width;
    }

    /** {@code C·H·W}, the values of one image. */
    public long imageElements() {
        return channels * pixels();
    }

    /** {@code N·C·H·W}. */
    public long elements() {
        return images * imageElements();
    }

    @Override
    public String toString() {
        return describe(layout, images, channels, height, width);
    }

    private static String describe(Layout layout, int n, int c, int h, int w) {
        return switch (layout) {
            case NCHW -> "NCHW [N=" + n + ", C=" + c + ", H=" + h + ", W=" + w + "]";
            case NHWC -> "NHWC [N=" + n + ", H=" + h + ", W=" + w + ", C=" + c + "]";
        };
    }
}
