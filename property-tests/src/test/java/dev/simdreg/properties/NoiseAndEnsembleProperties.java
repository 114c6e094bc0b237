package dev.simdreg.properties;

import dev.simdreg.Ensembles;
import dev.simdreg.Noise;
import dev.simdreg.RandomStreams;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Noise injection, label smoothing and ensemble averages against float64 references. */
class NoiseAndEnsembleProperties {

    /** x + σ·z is one fused multiply-add of the stream's normals (checked against Box–Muller elsewhere). */
    @Test
    void gaussianNoiseIsOneFmaOfTheNormals() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            float sigma = values.coin() ? values.uniform(0, 2) : 0f;
            long seed = (long) values.uniform(0, 1e9), offset = (long) values.uniform(0, 1e9);
            float[] x = values.floats(shape.n());
            float[] z = new float[shape.n()];
            RandomStreams.normal(seed, offset, z);
            try (Arena arena = Arena.ofConfined()) {
                var xb = shape.storage().hold(arena, x);
                if (shape.storage().usesArrayApi()) {
                    Noise.addGaussian(seed, offset, sigma, xb.array(), xb.array());
                } else {
                    Noise.addGaussian(seed, offset, sigma, xb.segment(), xb.segment());
                }
                float[] got = xb.read();
                for (int i = 0; i < got.length; i++) {
                    Close.exactly((double) sigma * z[i] + x[i], got[i], "x~[" + i + "]");
                }
            }
        });
    }

    @Test
    void labelSmoothingIsMixedWithUniform() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 50; trial++) {
            int k = 1 + random.nextInt(1000), n = random.nextInt(20);
            float epsilon = trial % 5 == 0 ? 0f : random.nextFloat();
            int[] classes = random.ints(n, 0, k).toArray();
            float[] out = new float[n * k];
            Noise.labelSmoothing(classes, k, epsilon, out);
            for (int r = 0; r < n; r++) {
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    double expected = (1.0 - epsilon) * (c == classes[r] ? 1 : 0) + (double) epsilon / k;
                    Close.exactly(expected, out[r * k + c], "row " + r + " class " + c);
                    sum += out[r * k + c];
                }
                assertEquals(1.0, sum, 1e-5, "a row sums to 1");
            }
        }
    }

    @Test
    void averageOfMembersIsTheMean() {
        Shape.forEvery(Values.MODERATE, (shape, values) -> {
            int members = 1 + (int) values.uniform(0, 9.99);
            float[][] p = new float[members][];
            for (int m = 0; m < members; m++) {
                p[m] = values.floats(shape.n());
            }
            float[] out = new float[shape.n()];
            Ensembles.averageProbabilities(p, out);
            for (int i = 0; i < out.length; i++) {
                double sum = 0, magnitude = 0;
                for (float[] member : p) {
                    sum += member[i];
                    magnitude += Math.abs(member[i]);
                }
                // a running mean: three roundings per member, of terms bounded by the largest member
                Close.within(sum / members, out[i], magnitude, 3 * members, "mean[" + i + "]");
            }
        });
    }

    @Test
    void geometricMeanIsNormalized() {
        SplittableRandom random = new SplittableRandom(13);
        for (int trial = 0; trial < 40; trial++) {
            int classes = 1 + random.nextInt(12), rows = 1 + random.nextInt(5), k = 1 + random.nextInt(6);
            float[][] p = new float[k][rows * classes];
            for (float[] member : p) {
                for (int r = 0; r < rows; r++) {
                    double total = 0;
                    for (int c = 0; c < classes; c++) {
                        member[r * classes + c] = (float) random.nextDouble(1e-6, 1);
                        total += member[r * classes + c];
                    }
                    for (int c = 0; c < classes; c++) {
                        member[r * classes + c] /= (float) total;
                    }
                }
            }
            float[] out = new float[rows * classes];
            Ensembles.geometricMean(p, classes, out);
            for (int r = 0; r < rows; r++) {
                double[] g = new double[classes];
                double total = 0;
                for (int c = 0; c < classes; c++) {
                    double product = 1;
                    for (float[] member : p) {
                        product *= member[r * classes + c];
                    }
                    g[c] = Math.pow(product, 1.0 / k);
                    total += g[c];
                }
                for (int c = 0; c < classes; c++) {
                    Close.within(g[c] / total, out[r * classes + c], g[c] / total, 4, "row " + r + " class " + c);
                }
            }
        }
        float[] out = new float[2];
        Ensembles.geometricMean(new float[][] {{0f, 1f}, {0.5f, 0.5f}}, 2, out);
        assertEquals(0f, out[0], "a class some member rules out gets 0");
        assertEquals(1f, out[1]);
    }

    @Test
    void bootstrapIndicesCoverAboutOneMinusOneOverE() {
        int n = 1 << 20;
        int[] indices = new int[n];
        Ensembles.bootstrapIndices(17, 0, indices);
        boolean[] seen = new boolean[n];
        long distinct = 0;
        for (int i : indices) {
            assertTrue(i >= 0 && i < n, "index in [0, N): " + i);
            if (!seen[i]) {
                seen[i] = true;
                distinct++;
            }
        }
        // the expected fraction of distinct indices is 1 - (1 - 1/N)^N; its standard deviation is below 0.5/sqrt(N)
        double expected = 1 - Math.pow(1 - 1.0 / n, n);
        assertEquals(expected, (double) distinct / n, 5 * 0.5 / Math.sqrt(n), "distinct fraction");
    }
}
