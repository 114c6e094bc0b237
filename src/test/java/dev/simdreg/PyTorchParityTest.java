package dev.simdreg;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Batch norm against PyTorch's CPU results, recorded by {@code src/test/python/batchnorm_fixtures.py}
 * (Debian's python3-torch) in {@code src/test/resources/dev/simdreg/pytorch}: training and inference,
 * forward and backward, with and without the fused ReLU, running statistics with momentum 0.1 and
 * with PyTorch's cumulative average ({@code momentum=None}), for each layout. Both sides compute in
 * float32 with different summation orders, so values agree to 1e-5 of the largest magnitude.
 */
class PyTorchParityTest {

    private static final double EPS = 1e-5;
    private static final double MOMENTUM = 0.1;

    @ParameterizedTest
    @ValueSource(strings = {"rows", "channels_first", "channels_last"})
    void trainingMatchesPyTorch(String layout) throws IOException {
        Map<String, float[]> f = fixture(layout);
        BatchShape shape = shapeOf(layout, f.get("shape"));
        int c = shape.channels();
        for (boolean relu : new boolean[] {false, true}) {
            String suffix = relu ? "_relu" : "";
            float[] y = new float[f.get("x").length];
            float[] mean = new float[c];
            float[] invStd = new float[c];
            float[] runningMean = f.get("running_mean_before").clone();
            float[] runningVar = f.get("running_var_before").clone();
            var options = new BatchNormOptions(EPS, MOMENTUM, relu);
            BatchNorm.trainingForward(shape, f.get("x"), y, f.get("gamma"), f.get("beta"), mean, invStd, runningMean,
                    runningVar, options);
            close(f.get("train_y" + suffix), y, "y" + suffix);
            close(f.get("train_saved_mean" + suffix), mean, "saved mean");
            close(f.get("train_saved_invstd" + suffix), invStd, "saved invstd");
            close(f.get("train_running_mean" + suffix), runningMean, "running mean");
            close(f.get("train_running_var" + suffix), runningVar, "running var");

            float[] dx = new float[y.length];
            float[] dGamma = new float[c];
            float[] dBeta = new float[c];
            BatchNorm.trainingBackward(shape, f.get("x"), f.get("dy"), dx, f.get("gamma"), f.get("beta"), mean, invStd,
                    dGamma, dBeta, relu);
            close(f.get("train_dx" + suffix), dx, "dx" + suffix);
            close(f.get("train_dgamma" + suffix), dGamma, "dgamma" + suffix);
            close(f.get("train_dbeta" + suffix), dBeta, "dbeta" + suffix);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rows", "channels_first", "channels_last"})
    void inferenceMatchesPyTorch(String layout) throws IOException {
        Map<String, float[]> f = fixture(layout);
        BatchShape shape = shapeOf(layout, f.get("shape"));
        int c = shape.channels();
        for (boolean relu : new boolean[] {false, true}) {
            String suffix = relu ? "_relu" : "";
            var options = new BatchNormOptions(EPS, MOMENTUM, relu);
            float[] y = new float[f.get("x").length];
            BatchNorm.inferenceForward(shape, f.get("x"), y, f.get("gamma"), f.get("beta"), f.get("running_mean_before"),
                    f.get("running_var_before"), options);
            close(f.get("eval_y" + suffix), y, "y" + suffix);
            float[] dx = new float[y.length];
            float[] dGamma = new float[c];
            float[] dBeta = new float[c];
            BatchNorm.inferenceBackward(shape, f.get("x"), f.get("dy"), dx, f.get("gamma"), f.get("beta"),
                    f.get("running_mean_before"), f.get("running_var_before"), dGamma, dBeta, options);
            close(f.get("eval_dx" + suffix), dx, "dx" + suffix);
            close(f.get("eval_dgamma" + suffix), dGamma, "dgamma" + suffix);
            close(f.get("eval_dbeta" + suffix), dBeta, "dbeta" + suffix);
        }
    }

    /** {@code momentum=None}: after two batches the running statistics are their plain average. */
    @ParameterizedTest
    @ValueSource(strings = {"rows", "channels_first", "channels_last"})
    void cumulativeAverageMatchesPyTorch(String layout) throws IOException {
        Map<String, float[]> f = fixture(layout);
        BatchShape shape = shapeOf(layout, f.get("shape"));
        int c = shape.channels();
        float[] runningMean = new float[c];
        float[] runningVar = new float[c];
        java.util.Arrays.fill(runningVar, 1f);
        float[][] batches = {f.get("x"), f.get("cumulative_second_x")};
        for (int t = 1; t <= 2; t++) {
            var options = new BatchNormOptions(EPS, BatchNorm.cumulativeMomentum(t), false);
            BatchNorm.trainingForward(shape, batches[t - 1], new float[batches[t - 1].length], null, null, new float[c],
                    new float[c], runningMean, runningVar, options);
        }
        close(f.get("cumulative_running_mean"), runningMean, "running mean");
        close(f.get("cumulative_running_var"), runningVar, "running var");
    }

    private static void close(float[] expected, float[] got, String what) {
        assertNotNull(expected, what + ": missing from the fixture");
        assertEquals(expected.length, got.length, what + ": length");
        float largest = 1;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-5f * largest, what + "[" + i + "]");
        }
    }

    private static BatchShape shapeOf(String layout, float[] dims) {
        int n = (int) dims[0];
        int c = (int) dims[1];
        return switch (layout) {
            case "rows" -> BatchShape.rows(n, c);
            case "channels_first" -> BatchShape.channelsFirst(n, c, (int) (dims[2] * dims[3]));
            case "channels_last" -> BatchShape.channelsLast(n, (int) (dims[2] * dims[3]), c);
            default -> throw new IllegalArgumentException(layout);
        };
    }

    /** name → values of one fixture file; values are exact float32, written as hexadecimal literals. */
    private static Map<String, float[]> fixture(String layout) throws IOException {
        return fixture("pytorch/batchnorm_" + layout + ".txt", "src/test/python/batchnorm_fixtures.py");
    }

    /** A fixture's named float arrays, each line a name and hexadecimal floats; script writes it. */
    static Map<String, float[]> fixture(String name, String script) throws IOException {
        Map<String, float[]> values = new HashMap<>();
        try (InputStream in = PyTorchParityTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name + " is missing; run " + script);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] fields = line.trim().split(" ");
                float[] v = new float[fields.length - 1];
                for (int i = 1; i < fields.length; i++) {
                    v[i - 1] = (float) Double.parseDouble(fields[i]);
                }
                values.put(fields[0], v);
            }
        }
        return values;
    }
}
