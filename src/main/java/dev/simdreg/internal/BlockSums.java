package dev.simdreg.internal;

import java.util.Arrays;

/**
 * The float sums of a call's blocks of rows, two per channel, for a sum split over threads by blocks: each part
 * writes the sums of its blocks, the caller adds them in float64 in block order, as one thread adding block after
 * block does. So the result does not depend on the split.
 */
public final class BlockSums {

    private static final ThreadLocal<float[]> TABLE = ThreadLocal.withInitial(() -> new float[0]);

    private BlockSums() {
    }

    /** A part of a split sum: the float sums of blocks {@code [b0, b1)} into their places in the table. */
    @FunctionalInterface
    public interface Blocks {
        void sum(float[] table, int b0, int b1);
    }

    /**
     * {@code first[c]} and {@code second[c]}: the sums of rows rows of C channels taken in blocks of rowsPerBlock
     * rows, the blocks split over threads (parts of {@link #blocksPerPart}), each part writing its blocks' float
     * sums to this thread's table, added here in float64 in block order.
     */
    public static void sum(long rows, long rowsPerBlock, int channels, boolean shared, Blocks blocks, double[] first,
                           double[] second) {
        int count = Math.toIntExact((rows + rowsPerBlock - 1) / rowsPerBlock);
        float[] table = table(count, channels);
        Parallel.run(count, 1, blocksPerPart(channels, rowsPerBlock), shared,
                (b0, b1) -> blocks.sum(table, (int) b0, (int) b1));
        addInOrder(table, count, channels, first, second);
    }

    /**
     * This thread's table for the sums of blocks blocks of C channels, grown to the largest call seen: block b's
     * first sums at {@link #first}, its second sums at {@link #second}.
     */
    private static float[] table(int blocks, int channels) {
        float[] table = TABLE.get();
        int size = Math.multiplyExact(2 * blocks, channels);
        if (table.length < size) {
            table = new float[size];
            TABLE.set(table);
        }
        return table;
    }

    /** Where block b's first sums start: channel c's at {@code first(b, channels) + c}. */
    public static int first(int b, int channels) {
        return 2 * b * channels;
    }

    /** Where block b's second sums start. */
    public static int second(int b, int channels) {
        return (2 * b + 1) * channels;
    }

    /**
     * Blocks per part of a split sum of rows of C channels, at least: 2^17 values, as the norms' sums. Training
     * backward on {@code [2048, 64]} (2^17 values) took 21.7 µs on one thread and 15.8 on two with its sums on
     * one and its input gradient in two parts, 17.9 with the sums in two parts of 2^16 too; {@code [4096, 64]}
     * 47.7 and 27.4 (harness, native segments).
     */
    private static long blocksPerPart(int channels, long rowsPerBlock) {
        return Math.max(1, 2 * Parallel.ELEMENTWISE_PART / (rowsPerBlock * channels));
    }

    /** {@code first[c]} and {@code second[c]}: the table's sums of channel c added in float64 in block order, from 0. */
    private static void addInOrder(float[] table, int blocks, int channels, double[] first, double[] second) {
        Arrays.fill(first, 0, channels, 0);
        Arrays.fill(second, 0, channels, 0);
        for (int b = 0; b < blocks; b++) {
            int sums = first(b, channels), squares = second(b, channels);
            for (int c = 0; c < channels; c++) {
                first[c] += table[sums + c];
                second[c] += table[squares + c];
            }
        }
    }
}
