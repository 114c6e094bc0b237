package dev.simdreg.bench;

import dev.simdreg.ImageShape;

/** The image issue's batches, named as JMH parameters. */
final class ImageShapes {

    /** 64 CIFAR-sized RGB images, NCHW. */
    static final String SMALL = "nchw:64x3x32x32";
    /** 64 ImageNet-sized RGB images, NCHW. */
    static final String LARGE = "nchw:64x3x224x224";
    /** The same, NHWC. */
    static final String LARGE_NHWC = "nhwc:64x224x224x3";

    private ImageShapes() {
    }

    static ImageShape parse(String name) {
        String[] kindAndDims = name.split(":");
        String[] d = kindAndDims[1].split("x");
        int a = Integer.parseInt(d[0]), b = Integer.parseInt(d[1]), c = Integer.parseInt(d[2]), e = Integer.parseInt(d[3]);
        return switch (kindAndDims[0]) {
            case "nchw" -> ImageShape.nchw(a, b, c, e);
            case "nhwc" -> ImageShape.nhwc(a, b, c, e);
            default -> throw new IllegalArgumentException("shape " + name);
        };
    }
}
