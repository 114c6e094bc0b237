package dev.simdreg.properties;

import java.util.SplittableRandom;

/**
 * Random inputs of one kind, reproducible from a seed.
 */
final class Values {

    /** What the elements look like. */
    enum Kind {
        /** Normal with a random scale between 1e-3 and 1e3. */
        NORMAL,
        /** Random signs and magnitudes log-uniform over the float range, subnormals included. */
        WIDE,
        /** Normal values mixed with ±0, subnormals, the extremes, ±Inf and NaN. */
        SPECIAL,
        /** Small integers and halves: exact ties and cancellations. */
        GRID
    }

    static final Kind[] FINITE = {Kind.NORMAL, Kind.WIDE, Kind.GRID};
    static final Kind[] ALL = Kind.values();
    /** Magnitudes an optimizer sees: squares and products stay within float range. */
    static final Kind[] MODERATE = {Kind.NORMAL, Kind.GRID};

    private static final float[] SPECIALS = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.NaN, 1f, -1f};

    private final Kind kind;
    private final long seed;
    private final SplittableRandom random;
    private final double scale;

    Values(Kind kind, long seed) {
        this.kind = kind;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.scale = Math.pow(10, random.nextDouble(-3, 3));
    }

    Kind kind() {
        return kind;
    }

    /** n elements of this kind. */
    float[] floats(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = next();
        }
        return a;
    }

    /** n elements of magnitude in [0, max). */
    float[] nonNegative(int n, double max) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) random.nextDouble(0, max);
        }
        return a;
    }

    /** A hyperparameter, uniform in [low, high]. */
    float uniform(double low, double high) {
        return (float) (low + (high - low) * random.nextDouble());
    }

    boolean coin() {
        return random.nextBoolean();
    }

    private float next() {
        return switch (kind) {
            case NORMAL -> (float) (random.nextGaussian() * scale);
            case WIDE -> (random.nextBoolean() ? 1 : -1) * (float) Math.pow(2, random.nextDouble(-149, 127.9));
            case SPECIAL -> random.nextInt(4) == 0 ? SPECIALS[random.nextInt(SPECIALS.length)]
                    : (float) random.nextGaussian();
            case GRID -> random.nextInt(-8, 9) * 0.5f;
        };
    }

    @Override
    public String toString() {
        return kind + " values, seed " + seed;
    }
}
