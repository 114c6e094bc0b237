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
        checkAgainstTheLibrary();
    }

    /** The segment paths against the array API (checked by the property tests) on the same stream. */
    private void checkAgainstTheLibrary() {
        if (loop()) {
            return;
        }
        Dropout.forward(11, 0, KEEP, Scaling.INVERTED, x, y, mask);
        Dropout.forward(11, 0, KEEP, Scaling.INVERTED, xs, ys, masks);
        agree("dropoutForward", y, read(ys));
        long[] bits = masks.toArray(ValueLayout.JAVA_LONG);
        for (int g = 0; g < bits.length; g++) {
            if (bits[g] != mask[g]) {
                throw new IllegalStateException("mask group " + g);
            }
        }
        RandomStreams.uniform(11, 0, y);
        RandomStreams.uniform(11, 0, ys);
        agree("uniform", y, read(ys));
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
