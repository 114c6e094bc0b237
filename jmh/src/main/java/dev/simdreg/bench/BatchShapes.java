package dev.simdreg.bench;

import dev.simdreg.BatchShape;

/** The batch-norm issue's shapes, named as JMH parameters. */
final class BatchShapes {

    /** {@code [256, 1024]}. */
    static final String DENSE = "rows:256x1024";
    /** NCHW {@code [32, 64, 56, 56]}. */
    static final String NCHW = "nchw:32x64x56x56";
    /** NHWC of the same size. */
    static final String NHWC = "nhwc:32x56x56x64";

    private BatchShapes() {
    }

    static BatchShape parse(String name) {
        String[] kindAndDims = name.split(":");
        String[] d = kindAndDims[1].split("x");
        return switch (kindAndDims[0]) {
            case "rows" -> BatchShape.rows(Integer.parseInt(d[0]), Integer.parseInt(d[1]));
            case "nchw" -> BatchShape.channelsFirst(Integer.parseInt(d[0]), Integer.parseInt(d[1]),
                    Integer.parseInt(d[2]) * Integer.parseInt(d[3]));
            case "nhwc" -> BatchShape.channelsLast(Integer.parseInt(d[0]), Integer.parseInt(d[1]) * Integer.parseInt(d[2]),
                    Integer.parseInt(d[3]));
            default -> throw new IllegalArgumentException("shape " + name);
        };
    }
}
