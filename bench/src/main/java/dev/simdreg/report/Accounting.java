package dev.simdreg.report;

import java.util.Map;

/** What each kernel moves, which ceiling it is held against, and which family it belongs to. */
public final class Accounting {

    /**
     * Minimal bytes per element: every input read once, every output written once. clipGradNorm,
     * projectToL2Ball and maxNormRows are measured in their steady state (nothing to scale): one read.
     * Batch norm counts x and y forward, x, dy and dx backward, x for the moments alone. Dropout counts x,
     * y and its one-bit mask; the random fills their output alone. The image conversion reads a byte and
     * writes a float per element; flips, same-size crops, PCA colour noise and warps read and write a float
     * (a crop or a warp reads less where it pads).
     */
    private static final Map<String, Double> BYTES_PER_ELEMENT = Map.ofEntries(
            Map.entry("softThreshold", 8.0), Map.entry("proximalL1Step", 12.0), Map.entry("l1Norm", 4.0),
            Map.entry("l2Norm", 4.0), Map.entry("maxNormRows", 4.0), Map.entry("clipGradNorm", 4.0),
            Map.entry("projectToL2Ball", 4.0),
            Map.entry("sgd", 12.0), Map.entry("sgdMomentum", 20.0), Map.entry("adamW", 28.0),
            Map.entry("linearAverage", 12.0), Map.entry("exponentialAverage", 12.0),
            Map.entry("copy", 8.0), Map.entry("vectorCopy", 8.0), Map.entry("inPlaceScale", 8.0),
            Map.entry("vectorSum", 4.0), Map.entry("momentumStreams", 20.0), Map.entry("adamStreams", 28.0),
            Map.entry("readTwoStreams", 8.0), Map.entry("readTwoWriteOne", 12.0),
            Map.entry("trainingForward", 8.0), Map.entry("inferenceForward", 8.0),
            Map.entry("trainingBackward", 12.0), Map.entry("inferenceBackward", 12.0), Map.entry("addMoments", 4.0),
            Map.entry("dropoutForward", 8.125), Map.entry("dropoutBackward", 8.125),
            Map.entry("gaussianNoise", 8.0), Map.entry("uniform", 4.0), Map.entry("normal", 4.0),
            Map.entry("fromBytes", 5.0), Map.entry("flipHorizontal", 8.0), Map.entry("flipVertical", 8.0),
            Map.entry("randomCrop", 8.0), Map.entry("pcaColourNoise", 8.0), Map.entry("warpAffine", 8.0));

    private static final Map<String, String> FAMILY = Map.ofEntries(
            Map.entry("softThreshold", "penalties"), Map.entry("proximalL1Step", "penalties"),
            Map.entry("l1Norm", "penalties"), Map.entry("l2Norm", "penalties"),
            Map.entry("maxNormRows", "projections"), Map.entry("clipGradNorm", "projections"),
            Map.entry("projectToL2Ball", "projections"),
            Map.entry("sgd", "optimizers"), Map.entry("sgdMomentum", "optimizers"), Map.entry("adamW", "optimizers"),
            Map.entry("linearAverage", "averaging"), Map.entry("exponentialAverage", "averaging"),
            Map.entry("trainingForward", "batch norm"), Map.entry("inferenceForward", "batch norm"),
            Map.entry("trainingBackward", "batch norm"), Map.entry("inferenceBackward", "batch norm"),
            Map.entry("addMoments", "batch norm"),
            Map.entry("dropoutForward", "dropout"), Map.entry("dropoutBackward", "dropout"),
            Map.entry("gaussianNoise", "random"), Map.entry("uniform", "random"), Map.entry("normal", "random"),
            Map.entry("fromBytes", "images"), Map.entry("flipHorizontal", "images"),
            Map.entry("flipVertical", "images"), Map.entry("randomCrop", "images"),
            Map.entry("pcaColourNoise", "images"), Map.entry("warpAffine", "images"),
            Map.entry("copy", "ceiling"), Map.entry("vectorCopy", "ceiling"), Map.entry("inPlaceScale", "ceiling"),
            Map.entry("vectorSum", "ceiling"), Map.entry("momentumStreams", "ceiling"),
            Map.entry("adamStreams", "ceiling"), Map.entry("readTwoStreams", "ceiling"),
            Map.entry("readTwoWriteOne", "ceiling"));

    private Accounting() {
    }

    public static double bytesPerElement(String kernel) {
        Double bytes = BYTES_PER_ELEMENT.get(kernel);
        if (bytes == null) {
            throw new IllegalArgumentException("no byte accounting for kernel " + kernel);
        }
        return bytes;
    }

    /**
     * The same-run ceiling of a kernel: copy for out-of-place and read-only kernels (and for the vector-loop
     * copy and sum), in-place scale otherwise (and for the optimizers' traffic ceilings). A ceiling is its own.
     */
    public static String ceilingOf(String kernel) {
        return switch (kernel) {
            case "sgd", "sgdMomentum", "adamW", "linearAverage", "exponentialAverage", "proximalL1Step",
                 "inPlaceScale", "momentumStreams", "adamStreams" -> "inPlaceScale";
            default -> "copy";
        };
    }

    /**
     * The same-run loop with a kernel's own traffic and nothing else, where the copy or the scale does not
     * stand for it (more streams, or reads alone); null for the others. Read-only kernels: vectorSum.
     * sgdMomentum: momentumStreams. adamW: adamStreams, with AdamW's square root and division.
     */
    public static String trafficCeilingOf(String kernel) {
        return switch (kernel) {
            case "l1Norm", "l2Norm", "maxNormRows", "clipGradNorm", "projectToL2Ball" -> "vectorSum";
            case "sgdMomentum" -> "momentumStreams";
            case "adamW" -> "adamStreams";
            default -> null;
        };
    }

    public static String familyOf(String kernel) {
        return FAMILY.getOrDefault(kernel, "other");
    }
}
