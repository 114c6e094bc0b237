package dev.simdreg.bench;

import dev.simdreg.AdamW;
import dev.simdreg.Averaging;
import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.Dropout;
import dev.simdreg.Optimizers;
import dev.simdreg.Penalties;
import dev.simdreg.RandomStreams;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How long a fresh JVM takes to reach a kernel's steady speed: the time of every call, from the first, of one
 * kernel family on 2^16 floats ({@code float[]}), in a JVM that runs nothing else. JMH cannot show this: its
 * forks measure after warm-up. Run in a fresh JVM per family (argument: the family; see {@link #KERNELS}); it
 * prints one line: the first call, the median of calls 2–100, the steady call (median of the last 1000 of
 * {@link #CALLS}), and the call and elapsed time from which a sliding median of 100 calls stays within 1.5× of
 * steady.
 */
public final class WarmUpProbe {

    static final String[] KERNELS = {"l1Norm", "exponentialAverage", "adamW", "dropout", "normal", "batchNorm"};
    private static final int N = 1 << 16;
    private static final int CALLS = 20_000;
    private static final int WINDOW = 100;

    private WarmUpProbe() {
    }

    public static void main(String[] args) {
        String kernel = args[0];
        Runnable call = call(kernel);
        long[] nanos = new long[CALLS];
        long start = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            long t0 = System.nanoTime();
            call.run();
            nanos[i] = System.nanoTime() - t0;
        }
        double steady = median(nanos, CALLS - 1000, CALLS);
        int settled = CALLS;
        for (int i = CALLS - WINDOW; i >= 0 && median(nanos, i, i + WINDOW) <= 1.5 * steady; i--) {
            settled = i;
        }
        long before = 0;
        for (int i = 0; i < settled; i++) {
            before += nanos[i];
        }
        System.out.printf(Locale.ROOT, "%s first %.1f us, calls 2-100 %.1f us, steady %.2f us, steady from call %d"
                        + " (%.1f ms in calls), %.0f ms elapsed%n", kernel, nanos[0] / 1e3, median(nanos, 1, 100) / 1e3,
                steady / 1e3, settled + 1, before / 1e6, (System.nanoTime() - start) / 1e6);
    }

    private static double median(long[] values, int from, int to) {
        long[] copy = Arrays.copyOfRange(values, from, to);
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    private static float[] filled(SplittableRandom random, int n, double mean) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (mean + random.nextGaussian());
        }
        return a;
    }

    private static Runnable call(String kernel) {
        SplittableRandom random = new SplittableRandom(42);
        float[] x = filled(random, N, 0);
        float[] y = new float[N];
        return switch (kernel) {
            case "l1Norm" -> () -> Penalties.l1Norm(x);
            case "exponentialAverage" -> () -> Averaging.exponentialAverage(y, x, 0.999f);
            case "adamW" -> {
                float[] m = new float[N];
                float[] v = new float[N];
                AdamW adamW = AdamW.withDefaults(1e-3f);
                yield () -> Optimizers.adamW(adamW, 1, y, x, m, v);
            }
            case "dropout" -> {
                long[] mask = new long[N / 64];
                yield () -> Dropout.forward(7, 0, 0.8f, Dropout.Scaling.INVERTED, x, y, mask);
            }
            case "normal" -> () -> RandomStreams.normal(7, 0, y);
            case "batchNorm" -> {
                BatchShape shape = BatchShape.channelsLast(16, N / 16 / 64, 64);
                float[] mean = new float[64];
                float[] invStd = new float[64];
                yield () -> BatchNorm.trainingForward(shape, x, y, null, null, mean, invStd, null, null,
                        BatchNormOptions.defaults());
            }
            default -> throw new IllegalArgumentException(kernel + " is none of " + String.join(", ", KERNELS));
        };
    }
}
