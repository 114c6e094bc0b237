package dev.simdreg.properties;

import dev.simdreg.Penalties;
import dev.simdreg.Projections;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Norm penalties and projections against float64 references. */
class PenaltyProperties {

    /** Float sums with many partial sums: rounding errors add up like a random walk, about sqrt(n) of them. */
    static double sumRoundings(int n) {
        return 4 * Math.sqrt(n) + 8;
    }

    static double softThreshold(double x, double threshold) {
        return Math.signum(x) * Math.max(Math.abs(x) - threshold, 0);
    }

    @Test
    void softThresholdIsExactlyTheRoundedReference() {
        Shape.forEvery(Values.ALL, (shape, values) -> {
            float[] x = values.floats(shape.n());
            float threshold = values.kind() == Values.Kind.GRID ? 1.5f : values.uniform(0, 2);
            boolean inPlace = values.coin();
            try (Arena arena = Arena.ofConfined()) {
                var in = shape.storage().hold(arena, x);
                var out = inPlace ? in : shape.storage().hold(arena, new float[shape.n()]);
                if (shape.storage().usesArrayApi()) {
                    Penalties.softThreshold(in.array(), threshold, out.array());
                } else {
                    Penalties.softThreshold(in.segment(), threshold, out.segment());
                }
                float[] got = out.read();
                for (int i = 0; i < x.length; i++) {
                    Close.exactly(softThreshold(x[i], threshold), got[i], "softThreshold x[" + i + "]=" + x[i]);
                }
            }
        });
    }

    @Test
    void proximalL1StepMatchesReference() {
        Shape.forEvery(Values.FINITE, (shape, values) -> {
            float[] w = values.floats(shape.n());
            float[] g = values.floats(shape.n());
            float rate = values.uniform(0, 1);
            float l1 = values.uniform(0, 1);
            try (Arena arena = Arena.ofConfined()) {
                var wb = shape.storage().hold(arena, w);
                var gb = shape.storage().hold(arena, g);
                if (shape.storage().usesArrayApi()) {
                    Penalties.proximalL1Step(wb.array(), gb.array(), rate, l1);
                } else {
                    Penalties.proximalL1Step(wb.segment(), gb.segment(), rate, l1);
                }
                float[] got = wb.read();
                double threshold = (double) rate * l1;
                for (int i = 0; i < w.length; i++) {
                    double step = w[i] - (double) rate * g[i];
                    double magnitude = Math.abs(w[i]) + Math.abs((double) rate * g[i]) + threshold;
                    Close.within(softThreshold(step, threshold), got[i], magnitude, 3, "proximalL1Step w[" + i + "]");
                }
                assertArrayEquals(g, gb.read(), "grad must not change");
            }
        });
    }

    @Test
    void normsMatchReference() {
        Shape.forEvery(Values.ALL, (shape, values) -> checkNorms(shape, values.floats(shape.n())));
    }

    /** Tiny and huge inputs: float squares would underflow or overflow, the norms must not. */
    @Test
    void normsHaveNoSpuriousOverflowOrUnderflow() {
        Shape.forEvery(new Values.Kind[] {Values.Kind.NORMAL}, (shape, values) -> {
            float[] x = values.floats(shape.n());
            int shift = values.coin() ? -135 : 112;
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.scalb(x[i], shift);
            }
            checkNorms(shape, x);
        });
    }

    private static void checkNorms(Shape shape, float[] x) {
        double sumAbs = 0;
        double sumSquares = 0;
        for (float v : x) {
            sumAbs += Math.abs(v);
            sumSquares += (double) v * v;
        }
        double roundings = sumRoundings(x.length);
        try (Arena arena = Arena.ofConfined()) {
            var b = shape.storage().hold(arena, x);
            boolean arrays = shape.storage().usesArrayApi();
            float l1 = arrays ? Penalties.l1Norm(b.array()) : Penalties.l1Norm(b.segment());
            float squares = arrays ? Penalties.sumOfSquares(b.array()) : Penalties.sumOfSquares(b.segment());
            float l2 = arrays ? Penalties.l2Norm(b.array()) : Penalties.l2Norm(b.segment());
            Close.within(sumAbs, l1, sumAbs, roundings, "l1Norm");
            Close.within(sumSquares, squares, sumSquares, roundings, "sumOfSquares");
            Close.within(Math.sqrt(sumSquares), l2, Math.sqrt(sumSquares), roundings / 2 + 1, "l2Norm");
            assertArrayEquals(x, b.read(), "norms must not write");
        }
    }

    @Test
    void projectionScalesOnlyVectorsOutsideTheBall() {
        Shape.forEvery(Values.FINITE, (shape, values) -> {
            float[] v = values.floats(shape.n());
            double norm = norm(v, 0, v.length);
            float radius = limitAround(norm, values);
            try (Arena arena = Arena.ofConfined()) {
                var b = shape.storage().hold(arena, v);
                float before = shape.storage().usesArrayApi() ? Projections.projectToL2Ball(b.array(), radius)
                        : Projections.projectToL2Ball(b.segment(), radius);
                Close.within(norm, before, norm, sumRoundings(v.length), "norm before projection");
                checkShrunk(v, b.read(), 0, v.length, radius, "projectToL2Ball");
            }
        });
    }

    @Test
    void maxNormScalesEachRowOutsideTheBall() {
        Shape.forEvery(Values.FINITE, (shape, values) ->
                checkMaxNormRows(shape, values, shape.n() == 0 ? 3 : divisorOf(shape.n(), values)));
    }

    /**
     * Rows of whole groups of four registers, up to a sum's block, go several to one loop of the vector
     * kernel (a register's lanes of rows, the last loop shorter): row counts on each side of one loop.
     */
    @Test
    void maxNormScalesRowsOfWholeRegisterGroups() {
        int lanes = Shape.lanes();
        for (int rows : List.of(1, lanes - 1, lanes, lanes + 1, 2 * lanes + 3)) {
            for (int cols : List.of(4 * lanes, 12 * lanes, 1 << 14)) {
                Shape.forEach(Shape.ofSize(rows * cols), Values.FINITE, (shape, values) ->
                        checkMaxNormRows(shape, values, cols));
            }
        }
    }

    private static void checkMaxNormRows(Shape shape, Values values, int cols) {
        int n = shape.n();
        int rows = n / cols;
        float[] w = values.floats(n);
        float maxNorm = (float) (Math.max(Math.sqrt(cols), 1) * values.uniform(0.05, 3));
        try (Arena arena = Arena.ofConfined()) {
            var b = shape.storage().hold(arena, w);
            long scaled = shape.storage().usesArrayApi() ? Projections.maxNormRows(b.array(), rows, cols, maxNorm)
                    : Projections.maxNormRows(b.segment(), rows, cols, maxNorm);
            float[] got = b.read();
            long expectedAtLeast = 0;
            long expectedAtMost = 0;
            for (int r = 0; r < rows; r++) {
                double rowNorm = norm(w, r * cols, cols);
                double slack = sumRoundings(cols) * Close.EPS;
                expectedAtLeast += rowNorm > maxNorm * (1 + slack) ? 1 : 0;
                expectedAtMost += rowNorm >= maxNorm * (1 - slack) ? 1 : 0;
                checkShrunk(java.util.Arrays.copyOfRange(w, r * cols, r * cols + cols),
                        java.util.Arrays.copyOfRange(got, r * cols, r * cols + cols), 0, cols, maxNorm, "row " + r);
            }
            if (scaled < expectedAtLeast || scaled > expectedAtMost) {
                throw new AssertionError("maxNormRows scaled " + scaled + " rows, expected "
                        + expectedAtLeast + ".." + expectedAtMost);
            }
        }
    }

    @Test
    void clipGradNormMatchesPyTorchSemantics() {
        Shape.forEvery(Values.FINITE, (shape, values) -> {
            int tensors = 1 + (int) values.uniform(0, 3.99);
            float[][] grads = new float[tensors][];
            double sumSquares = 0;
            for (int t = 0; t < tensors; t++) {
                grads[t] = values.floats(t == 0 ? shape.n() : (int) values.uniform(0, 100));
                double norm = norm(grads[t], 0, grads[t].length);
                sumSquares += norm * norm;
            }
            double total = Math.sqrt(sumSquares);
            float maxNorm = limitAround(total, values);
            try (Arena arena = Arena.ofConfined()) {
                Storage.Buffer[] buffers = new Storage.Buffer[tensors];
                MemorySegment[] segments = new MemorySegment[tensors];
                float[][] arrays = new float[tensors][];
                for (int t = 0; t < tensors; t++) {
                    buffers[t] = shape.storage().hold(arena, grads[t]);
                    segments[t] = buffers[t].segment();
                    arrays[t] = shape.storage().usesArrayApi() ? buffers[t].array() : null;
                }
                float got = shape.storage().usesArrayApi() ? Projections.clipGradNorm(arrays, maxNorm)
                        : Projections.clipGradNorm(segments, maxNorm);
                Close.within(total, got, total, sumRoundings(shape.n() + 400), "total norm");
                double factor = maxNorm / (total + 1e-6);
                for (int t = 0; t < tensors; t++) {
                    float[] after = buffers[t].read();
                    for (int i = 0; i < after.length; i++) {
                        double expected = factor < 1 ? grads[t][i] * factor : grads[t][i];
                        // the factor itself carries the total norm's error
                        Close.within(expected, after[i], Math.abs(expected),
                                sumRoundings(shape.n() + 400) + 2, "grads[" + t + "][" + i + "]");
                    }
                }
            }
        });
    }

    /** A limit of 0.2 to 1.8 times norm, where that is a positive finite float; else 1. */
    private static float limitAround(double norm, Values values) {
        double limit = norm * values.uniform(0.2, 1.8);
        return limit > 0 && limit <= Float.MAX_VALUE ? (float) limit : 1f;
    }

    /** after is before scaled to norm limit when its norm is above it, and bit for bit before otherwise. */
    private static void checkShrunk(float[] before, float[] after, int from, int n, float limit, String what) {
        double norm = norm(before, from, n);
        double slack = sumRoundings(n) * Close.EPS;
        if (norm <= limit * (1 - slack)) {
            assertArrayEquals(before, after, what + ": inside the ball, must be untouched");
        } else if (norm > limit * (1 + slack)) {
            for (int i = from; i < from + n; i++) {
                double expected = before[i] * (limit / norm);
                Close.within(expected, after[i], Math.abs(expected), sumRoundings(n) + 2, what + " [" + i + "]");
            }
        }
    }

    static double norm(float[] x, int from, int n) {
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += (double) x[i] * x[i];
        }
        return Math.sqrt(sum);
    }

    private static int divisorOf(int n, Values values) {
        int candidate = 1 + (int) values.uniform(0, Math.min(n, 600) - 0.01);
        while (n % candidate != 0) {
            candidate--;
        }
        return values.coin() ? candidate : n / candidate;
    }
}
