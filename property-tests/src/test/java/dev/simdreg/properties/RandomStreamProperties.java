package dev.simdreg.properties;

import dev.simdreg.RandomStreams;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The random streams against their definitions (exact), split into pieces (the same bits), and
 * statistically with fixed seeds, against bounds a correct generator passes with overwhelming
 * probability (5 standard deviations unless stated).
 */
class RandomStreamProperties {

    private static final int STATISTICS_N = 1 << 20;

    /** Seeds and offsets that reach the high key word and counters above 2^32 blocks. */
    private static long seedOf(Values values) {
        return values.coin() ? (long) values.uniform(0, 1000) : new SplittableRandom((long) values.uniform(0, 1e9)).nextLong();
    }

    private static long offsetOf(Values values) {
        return values.coin() ? (long) values.uniform(0, 100) : (long) values.uniform(0, 1e12) + (1L << 36);
    }

    @Test
    void uniformIsItsDefinition() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            long seed = seedOf(values), offset = offsetOf(values);
            try (Arena arena = Arena.ofConfined()) {
                var out = shape.storage().hold(arena, new float[shape.n()]);
                if (shape.storage().usesArrayApi()) {
                    RandomStreams.uniform(seed, offset, out.array());
                } else {
                    RandomStreams.uniform(seed, offset, out.segment());
                }
                float[] got = out.read();
                for (int i = 0; i < got.length; i += step(got.length)) {
                    Close.exactly(ReferenceStreams.uniform(seed, offset + i), got[i], "uniform[" + i + "]");
                }
            }
        });
    }

    /** The reference's words cost a Philox call each: large sizes are sampled, tails always checked. */
    private static int step(int n) {
        return n > 5000 ? 97 : 1;
    }

    /**
     * Normals within 3e-7·(1 + r) of the double transform of the same words: the float logarithm and
     * sine are within a few ulp, and the angle is quantized to 2^-24 turns.
     */
    @Test
    void normalIsBoxMullerOfItsWords() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            long seed = seedOf(values), offset = offsetOf(values);
            try (Arena arena = Arena.ofConfined()) {
                var out = shape.storage().hold(arena, new float[shape.n()]);
                if (shape.storage().usesArrayApi()) {
                    RandomStreams.normal(seed, offset, out.array());
                } else {
                    RandomStreams.normal(seed, offset, out.segment());
                }
                float[] got = out.read();
                for (int i = 0; i < got.length; i += step(got.length)) {
                    double expected = ReferenceStreams.normal(seed, offset + i);
                    double bound = 3e-7 * (1 + ReferenceStreams.radius(seed, offset + i));
                    int index = i;
                    assertTrue(Math.abs(got[i] - expected) <= bound,
                            () -> "normal[" + index + "] = " + got[index] + ", expected " + expected);
                }
            }
        });
    }

    @Test
    void bernoulliBitsAreTheirDefinition() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            long seed = seedOf(values), offset = offsetOf(values);
            float p = values.coin() ? values.uniform(0, 1) : new float[] {0f, 1f, 0x1p-17f, 0.5f}[(int) values.uniform(0, 3.99)];
            int n = shape.n();
            long[] bits = new long[(n + 63) / 64 + 1];
            bits[bits.length - 1] = -1;
            RandomStreams.bernoulli(seed, offset, p, bits, n);
            for (int i = 0; i < n; i += step(n)) {
                boolean expected = ReferenceStreams.kept(seed, offset + i, p);
                assertEquals(expected, (bits[i >>> 6] >>> (i & 63) & 1) != 0, "bit " + i + " with p = " + p);
            }
            if (n % 64 != 0) {
                assertEquals(0, bits[n >>> 6] >>> (n & 63), "bits past n are cleared");
            }
            assertEquals(-1, bits[bits.length - 1], "the long past the mask is not touched");
        });
    }

    @Test
    void boundedIntsAreLemireOfTheirWords() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            long seed = seedOf(values), offset = offsetOf(values);
            // large bounds make rejections frequent: 2^31 - 1 rejects almost half of all draws
            int bound = values.coin() ? 1 + (int) values.uniform(0, 1000) : Integer.MAX_VALUE - (int) values.uniform(0, 10);
            int[] out = new int[shape.n()];
            RandomStreams.boundedInts(seed, offset, bound, out);
            for (int i = 0; i < out.length; i += step(out.length)) {
                assertEquals(ReferenceStreams.bounded(seed, offset + i, bound), out[i], "int " + i);
            }
        });
    }

    /** Any split of a call into calls at the matching offsets gives the same floats and bits. */
    @Test
    void splittingACallChangesNothing() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + random.nextInt(20_000);
            long seed = random.nextLong(), offset = random.nextLong(1L << 40);
            float[] whole = new float[n];
            float[] wholeNormal = new float[n];
            long[] wholeBits = new long[(n + 63) / 64];
            RandomStreams.uniform(seed, offset, whole);
            RandomStreams.normal(seed, offset, wholeNormal);
            RandomStreams.bernoulli(seed, offset, 0.3f, wholeBits, n);
            float[] pieces = new float[n];
            float[] piecesNormal = new float[n];
            for (int from = 0; from < n; ) {
                int length = Math.min(n - from, 1 + random.nextInt(3000));
                float[] part = new float[length];
                float[] partNormal = new float[length];
                long[] partBits = new long[(length + 63) / 64];
                RandomStreams.uniform(seed, offset + from, part);
                RandomStreams.normal(seed, offset + from, partNormal);
                RandomStreams.bernoulli(seed, offset + from, 0.3f, partBits, length);
                System.arraycopy(part, 0, pieces, from, length);
                System.arraycopy(partNormal, 0, piecesNormal, from, length);
                for (int i = 0; i < length; i++) {
                    int at = from + i;
                    assertEquals(wholeBits[at >>> 6] >>> (at & 63) & 1, partBits[i >>> 6] >>> (i & 63) & 1, "bit " + at);
                }
                from += length;
            }
            assertArrayEquals(whole, pieces, "uniform");
            assertArrayEquals(wholeNormal, piecesNormal, "normal");
        }
    }

    @Test
    void byteMaskHoldsTheBitsOfTheLongMask() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 1001;
            long[] longs = new long[16];
            MemorySegment bytes = arena.allocate(127);
            bytes.fill((byte) 0x5A);
            RandomStreams.bernoulli(3, 11, 0.5f, longs, n);
            RandomStreams.bernoulli(3, 11, 0.5f, bytes, n);
            for (int i = 0; i < n; i++) {
                int fromByte = bytes.get(ValueLayout.JAVA_BYTE, i >>> 3) >>> (i & 7) & 1;
                assertEquals(longs[i >>> 6] >>> (i & 63) & 1, fromByte, "bit " + i);
            }
            assertEquals(0, bytes.get(ValueLayout.JAVA_BYTE, 125) & 0xFE, "bits past n cleared");
            assertEquals(0x5A, bytes.get(ValueLayout.JAVA_BYTE, 126), "bytes past ceil(n/8) untouched");
        }
    }

    @Test
    void keepFractionIsWithinFiveSigma() {
        for (float p : new float[] {0.1f, 0.5f, 0.8f, 0.999f}) {
            long[] bits = new long[STATISTICS_N / 64];
            RandomStreams.bernoulli(42, 0, p, bits, STATISTICS_N);
            long kept = 0;
            for (long b : bits) {
                kept += Long.bitCount(b);
            }
            double sigma = Math.sqrt(STATISTICS_N * p * (1 - p));
            double expected = STATISTICS_N * (Math.round(p * 65536) / 65536.0);
            assertTrue(Math.abs(kept - expected) < 5 * sigma, "p = " + p + ": kept " + kept + ", expected " + expected);
        }
    }

    /** Chi-square over 1024 equal bins: 1023 degrees of freedom, mean 1023, standard deviation 45.2. */
    @Test
    void uniformPassesChiSquare() {
        float[] u = new float[STATISTICS_N];
        RandomStreams.uniform(2026, 0, u);
        long[] counts = new long[1024];
        for (float v : u) {
            assertTrue(v >= 0 && v < 1, "in [0, 1): " + v);
            counts[(int) (v * 1024)]++;
        }
        double expected = STATISTICS_N / 1024.0, chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        assertTrue(Math.abs(chi2 - 1023) < 5 * 45.2, "chi-square " + chi2);
    }

    @Test
    void normalsHaveTheirMomentsAndTails() {
        float[] z = new float[STATISTICS_N];
        RandomStreams.normal(99, 12345, z);
        double sum = 0, squares = 0, fourth = 0;
        long beyond2 = 0, beyond3 = 0;
        for (float v : z) {
            sum += v;
            squares += (double) v * v;
            fourth += (double) v * v * v * v;
            beyond2 += Math.abs(v) > 2 ? 1 : 0;
            beyond3 += Math.abs(v) > 3 ? 1 : 0;
            assertTrue(Math.abs(v) <= 5.78, "|z| bounded by sqrt(48 ln 2): " + v);
        }
        double n = STATISTICS_N;
        assertTrue(Math.abs(sum / n) < 5 / Math.sqrt(n), "mean " + sum / n);
        assertTrue(Math.abs(squares / n - 1) < 5 * Math.sqrt(2 / n), "variance " + squares / n);
        assertTrue(Math.abs(fourth / n - 3) < 5 * Math.sqrt(96 / n), "fourth moment " + fourth / n);
        assertWithinBinomial(beyond2, n, 0.04550026, "P(|z| > 2)");
        assertWithinBinomial(beyond3, n, 0.00269980, "P(|z| > 3)");
    }

    private static void assertWithinBinomial(long count, double n, double p, String what) {
        double sigma = Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(count - n * p) < 5 * sigma, what + ": " + count / n + ", expected " + p);
    }

    /** Correlations of neighbours, of Box–Muller partners, and of streams with adjacent seeds: within 5/sqrt(n). */
    @Test
    void neighboursPartnersAndAdjacentSeedsAreUncorrelated() {
        float[] a = new float[STATISTICS_N];
        float[] b = new float[STATISTICS_N];
        RandomStreams.uniform(1000, 0, a);
        RandomStreams.uniform(1001, 0, b);
        double bound = 5 / Math.sqrt(STATISTICS_N);
        assertTrue(Math.abs(correlation(a, 0, a, 1, STATISTICS_N - 1)) < bound, "lag-1 uniform");
        assertTrue(Math.abs(correlation(a, 0, b, 0, STATISTICS_N)) < bound, "adjacent seeds");
        float[] z = new float[STATISTICS_N];
        RandomStreams.normal(1000, 0, z);
        assertTrue(Math.abs(correlation(z, 0, z, 1, STATISTICS_N - 1)) < bound, "lag-1 normal");
        float[] cos = new float[STATISTICS_N / 2], sin = new float[STATISTICS_N / 2];
        for (int t = 0, k = 0; t < STATISTICS_N; t += 32) {
            for (int l = 0; l < 16; l++, k++) {
                cos[k] = z[t + l];
                sin[k] = z[t + 16 + l];
            }
        }
        assertTrue(Math.abs(correlation(cos, 0, sin, 0, cos.length)) < 5 / Math.sqrt(cos.length), "partners");
        float[] squaresCos = new float[cos.length], squaresSin = new float[cos.length];
        for (int k = 0; k < cos.length; k++) {
            squaresCos[k] = cos[k] * cos[k];
            squaresSin[k] = sin[k] * sin[k];
        }
        // partners share r, so their squares are where a broken transform would show dependence
        assertTrue(Math.abs(correlation(squaresCos, 0, squaresSin, 0, cos.length)) < 5 / Math.sqrt(cos.length),
                "partners' squares");
        long[] bitsA = new long[STATISTICS_N / 64], bitsB = new long[STATISTICS_N / 64];
        RandomStreams.bernoulli(1000, 0, 0.5f, bitsA, STATISTICS_N);
        RandomStreams.bernoulli(1001, 0, 0.5f, bitsB, STATISTICS_N);
        long agree = 0;
        for (int k = 0; k < bitsA.length; k++) {
            agree += Long.bitCount(~(bitsA[k] ^ bitsB[k]));
        }
        assertWithinBinomial(agree, STATISTICS_N, 0.5, "adjacent seeds' keep bits agree");
    }

    private static double correlation(float[] x, int xFrom, float[] y, int yFrom, int n) {
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < n; i++) {
            double u = x[xFrom + i], v = y[yFrom + i];
            sx += u;
            sy += v;
            sxx += u * u;
            syy += v * v;
            sxy += u * v;
        }
        double cov = sxy / n - sx / n * sy / n;
        return cov / Math.sqrt((sxx / n - sx / n * sx / n) * (syy / n - sy / n * sy / n));
    }
}
