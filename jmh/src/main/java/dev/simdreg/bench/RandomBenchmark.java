package dev.simdreg.bench;

import dev.simdreg.Dropout;
import dev.simdreg.Dropout.Scaling;
import dev.simdreg.Noise;
import dev.simdreg.RandomStreams;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * The random streams and dropout (keep probability 0.5, inverted, with a byte mask): forward draws
 * and writes the mask, backward applies a stored mask. Each invocation advances the offset, as training
 * does, so no call repeats the previous one's draws. The loop is plain Java with SplittableRandom, one
 * draw per element, and a long[] mask.
 */
public class RandomBenchmark extends BenchState {

    static final float KEEP = 0.5f;
    static final float SIGMA = 0.1f;

    private float[] x, y, dy;
    private long[] mask;
    private MemorySegment xs, ys, dys, masks;
    private long offset;
    private SplittableRandom random;

    @Setup
    public void setup() {
        selectProvider();
        x = randomArray(1, 1, 0);
        dy = randomArray(2, 1, 0);
        y = new float[n];
        mask = new long[(n + 63) / 64];
        xs = nativeCopy(x);
        dys = nativeCopy(dy);
        ys = nativeCopy(y);
        masks = arena.allocate((n + 7) / 8, 64);
        random = new SplittableRandom(3);
        if (checked()) {
            checkTheLibrary();
        }
    }

    /**
     * What the measured calls compute, checked against their definitions: each dropped element 0 and each
     * kept one x/π, with its mask bit; the kept fraction and the uniforms below 0.5 within 5σ. The property
     * tests check the bits themselves.
     */
    private void checkTheLibrary() {
        if (loop()) {
            Loops.dropoutForward(random, x, y, mask, KEEP); // a random mask for the loop's backward
            return;
        }
        Dropout.forward(11, 0, KEEP, Scaling.INVERTED, xs, ys, masks);
        float[] got = read(ys);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean bit = (masks.get(ValueLayout.JAVA_BYTE, i >>> 3) >>> (i & 7) & 1) != 0;
            if (got[i] != (bit ? x[i] / KEEP : 0f)) {
                throw new IllegalStateException("dropoutForward[" + i + "] = " + got[i] + " with mask bit " + bit);
            }
            kept += bit ? 1 : 0;
        }
        withinFiveSigma("kept fraction", kept, n, KEEP);
        RandomStreams.uniform(11, 0, ys);
        got = read(ys);
        int low = 0;
        for (int i = 0; i < n; i++) {
            if (!(got[i] >= 0f && got[i] < 1f)) {
                throw new IllegalStateException("uniform[" + i + "] = " + got[i]);
            }
            low += got[i] < 0.5f ? 1 : 0;
        }
        withinFiveSigma("uniforms below 0.5", low, n, 0.5);
    }

    private static void withinFiveSigma(String what, int count, int n, double p) {
        if (Math.abs(count - n * p) > 5 * Math.sqrt(n * p * (1 - p)) + 1) {
            throw new IllegalStateException(what + ": " + count + " of " + n + ", expected " + n * p);
        }
    }

    @TearDown
    public void tearDown() {
        close();
    }

    @Benchmark
    public Object dropoutForward() {
        offset += n;
        if (loop()) {
            Loops.dropoutForward(random, x, y, mask, KEEP);
            return y;
        }
        Dropout.forward(11, offset, KEEP, Scaling.INVERTED, xs, ys, masks);
        return ys;
    }

    @Benchmark
    public Object dropoutBackward() {
        if (loop()) {
            Loops.dropoutBackward(mask, dy, y, KEEP);
            return y;
        }
        Dropout.backward(KEEP, Scaling.INVERTED, masks, dys, ys);
        return ys;
    }

    @Benchmark
    public Object uniform() {
        offset += n;
        if (loop()) {
            for (int i = 0; i < n; i++) {
                y[i] = random.nextFloat();
            }
            return y;
        }
        RandomStreams.uniform(11, offset, ys);
        return ys;
    }

    @Benchmark
    public Object normal() {
        offset += n;
        if (loop()) {
            for (int i = 0; i < n; i++) {
                y[i] = (float) random.nextGaussian();
            }
            return y;
        }
        RandomStreams.normal(11, offset, ys);
        return ys;
    }

    @Benchmark
    public Object gaussianNoise() {
        offset += n;
        if (loop()) {
            for (int i = 0; i < n; i++) {
                y[i] = x[i] + SIGMA * (float) random.nextGaussian();
            }
            return y;
        }
        Noise.addGaussian(11, offset, SIGMA, xs, ys);
        return ys;
    }
}
