package dev.simdreg.properties;

import dev.simdreg.BatchShape;
import dev.simdreg.Simdreg;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batch-norm inputs and their float64 reference statistics. Shapes hit every channel tail of the vector
 * columns (C = 1, 3, lanes ± 1, 4·lanes (short rows that run as one loop over groups of four registers),
 * 1000) and value counts N·S = 2, 7, 513 per channel, in the three layouts.
 */
final class BatchData {

    private BatchData() {
    }

    static List<BatchShape> shapes() {
        int vectorBits = Simdreg.provider().vectorBits();
        int lanes = vectorBits == 0 ? 16 : vectorBits / Float.SIZE;
        List<BatchShape> shapes = new ArrayList<>();
        for (int c : new int[] {1, 3, lanes - 1, lanes, lanes + 1, 4 * lanes, 1000}) {
            for (int n : new int[] {2, 7, 513}) {
                if (c * n <= 100_000) {
                    shapes.add(BatchShape.rows(n, c));
                }
            }
            shapes.add(BatchShape.channelsLast(1, 2, c));
            shapes.add(BatchShape.channelsLast(7, 1, c));
            if (c < 1000) {
                shapes.add(BatchShape.channelsLast(3, 171, c));
            }
        }
        // long rows past a block of 256 rows, whose float sums are then taken to float64
        shapes.add(BatchShape.rows(261, 256));
        // rows of a column of three registers (C = 17 at 256 bits, 33 at 512): two blocks at once, then one block
        // as a column of four, then a part of a block
        shapes.add(BatchShape.rows(3 * 256 + 5, 2 * lanes + 1));
        // rows of a column of four registers and the row's last register (C = 4 lanes + 3), summed in one pass: a
        // block and a part of one
        shapes.add(BatchShape.rows(256 + 7, 4 * lanes + 3));
        // short planes past a block of 256 examples, rows of 1200 columns in two windows of whole channels (800
        // and 400 columns)
        shapes.add(BatchShape.channelsFirst(258, 3, 400));
        // planes of 9, not a power of two, spread register by register: 13 examples, four at a time and one
        shapes.add(BatchShape.channelsFirst(13, 2 * lanes + 5, 9));
        for (int c : new int[] {1, 3, lanes + 1}) {
            shapes.add(BatchShape.channelsFirst(2, c, 1));
            shapes.add(BatchShape.channelsFirst(1, c, 7));
            shapes.add(BatchShape.channelsFirst(3, c, 171));
            shapes.add(BatchShape.channelsFirst(2, c, 4 * lanes + 3));
            shapes.add(BatchShape.channelsFirst(3, c, 64)); // runs of a power of two registers
            shapes.add(BatchShape.channelsFirst(3, c, 16)); // column sums a channel added without a loop
            shapes.add(BatchShape.channelsFirst(1, c, 4096 + 513));
        }
        return shapes;
    }

    /** The flat index of value (n, c, s). */
    static int index(BatchShape shape, int n, int c, int s) {
        int channels = shape.channels();
        int spatial = shape.spatial();
        return switch (shape.layout()) {
            case ROWS -> n * channels + c;
            case CHANNELS_FIRST -> (n * channels + c) * spatial + s;
            case CHANNELS_LAST -> (n * spatial + s) * channels + c;
        };
    }

    /**
     * x with a random mean and spread per channel (means up to 100 spreads, spreads from 1e-2 to 1e2), a
     * constant channel now and then, and a grid of small integers in some examples.
     */
    static float[] input(BatchShape shape, SplittableRandom random) {
        float[] x = new float[Math.toIntExact(shape.elements())];
        boolean grid = random.nextInt(4) == 0;
        for (int c = 0; c < shape.channels(); c++) {
            double spread = Math.pow(10, random.nextDouble(-2, 2));
            double mean = spread * random.nextDouble(-100, 100);
            boolean constant = random.nextInt(8) == 0;
            for (int n = 0; n < shape.batch(); n++) {
                for (int s = 0; s < shape.spatial(); s++) {
                    double v = constant ? mean : grid ? random.nextInt(-4, 5) : mean + spread * random.nextGaussian();
                    x[index(shape, n, c, s)] = (float) v;
                }
            }
        }
        return x;
    }

    static float[] perChannel(int channels, SplittableRandom random, double low, double high) {
        float[] a = new float[channels];
        for (int c = 0; c < channels; c++) {
            a[c] = (float) random.nextDouble(low, high);
        }
        return a;
    }

    /** Per-channel float64 statistics, two passes. */
    record Moments(double[] mean, double[] variance, double[] meanAbs) {

        static Moments of(BatchShape shape, float[] x) {
            int channels = shape.channels();
            double[] mean = new double[channels];
            double[] variance = new double[channels];
            double[] meanAbs = new double[channels];
            double count = shape.valuesPerChannel();
            for (int c = 0; c < channels; c++) {
                double sum = 0;
                double abs = 0;
                for (int n = 0; n < shape.batch(); n++) {
                    for (int s = 0; s < shape.spatial(); s++) {
                        sum += x[index(shape, n, c, s)];
                        abs += Math.abs(x[index(shape, n, c, s)]);
                    }
                }
                mean[c] = sum / count;
                meanAbs[c] = abs / count;
                double squares = 0;
                for (int n = 0; n < shape.batch(); n++) {
                    for (int s = 0; s < shape.spatial(); s++) {
                        double d = x[index(shape, n, c, s)] - mean[c];
                        squares += d * d;
                    }
                }
                variance[c] = squares / count;
            }
            return new Moments(mean, variance, meanAbs);
        }
    }
}
