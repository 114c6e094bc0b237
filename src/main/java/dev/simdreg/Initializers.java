package dev.simdreg;

import dev.simdreg.internal.BoxMuller;
import dev.simdreg.internal.Check;
import dev.simdreg.internal.Providers;
import dev.simdreg.internal.Streams;

import java.lang.foreign.MemorySegment;

/**
 * Weight initialization from the random streams: Glorot/Xavier (Glorot and Bengio 2010) and He/Kaiming
 * (He et al. 2015, for ReLU units), uniform and normal, as PyTorch's {@code xavier_uniform_},
 * {@code xavier_normal_} (gain 1), {@code kaiming_uniform_} and {@code kaiming_normal_} (ReLU gain √2)
 * define their ranges. A fan is the number of inputs (fan-in) or outputs (fan-out) of a unit: for a
 * dense {@code [out, in]} matrix {@code in} and {@code out}, for a convolution {@code channels·kh·kw}.
 *
 * <p>Element i of a call uses element {@code offset + i} of the seed's stream: a uniform initializer
 * the 24 bits b of {@link RandomStreams#uniform} and writes {@code fma(b, 2·bound·2^-24, −bound)}, the
 * float nearest {@code bound·(2b/2^24 − 1)}, in {@code [−bound, bound]}; a normal initializer writes
 * {@code std·z} for the normal z of {@link RandomStreams#normal}. The bound and the standard deviation
 * are computed in double and rounded to float once. Arguments are checked before anything is written.
 */
public final class Initializers {

    private Initializers() {
    }

    /**
     * Glorot uniform: {@code U[−b, b]} with {@code b = sqrt(6 / (fanIn + fanOut))}, variance
     * {@code 2 / (fanIn + fanOut)}.
     *
     * @param fanIn  {@code >= 1}
     * @param fanOut {@code >= 1}
     */
    public static void glorotUniform(long seed, long offset, int fanIn, int fanOut, float[] out) {
        glorotUniform(seed, offset, fanIn, fanOut, Check.array(out, "out"));
    }

    /** Glorot uniform into a segment; see {@link #glorotUniform(long, long, int, int, float[])}. */
    public static void glorotUniform(long seed, long offset, int fanIn, int fanOut, MemorySegment out) {
        uniform(seed, offset, Math.sqrt(6.0 / fans(fanIn, fanOut)), out);
    }

    /** Glorot normal: {@code N(0, σ²)} with {@code σ = sqrt(2 / (fanIn + fanOut))}. */
    public static void glorotNormal(long seed, long offset, int fanIn, int fanOut, float[] out) {
        glorotNormal(seed, offset, fanIn, fanOut, Check.array(out, "out"));
    }

    /** Glorot normal into a segment; see {@link #glorotNormal(long, long, int, int, float[])}. */
    public static void glorotNormal(long seed, long offset, int fanIn, int fanOut, MemorySegment out) {
        normal(seed, offset, Math.sqrt(2.0 / fans(fanIn, fanOut)), out);
    }

    /**
     * He uniform: {@code U[−b, b]} with {@code b = sqrt(6 / fan)}, variance {@code 2 / fan}.
     *
     * @param fan the fan-in, to keep the variance of activations (PyTorch's default mode), or the
     *            fan-out, to keep that of gradients; {@code >= 1}
     */
    public static void heUniform(long seed, long offset, int fan, float[] out) {
        heUniform(seed, offset, fan, Check.array(out, "out"));
    }

    /** He uniform into a segment; see {@link #heUniform(long, long, int, float[])}. */
    public static void heUniform(long seed, long offset, int fan, MemorySegment out) {
        uniform(seed, offset, Math.sqrt(6.0 / fan(fan, "fan")), out);
    }

    /** He normal: {@code N(0, σ²)} with {@code σ = sqrt(2 / fan)}; see {@link #heUniform(long, long, int, float[])}. */
    public static void heNormal(long seed, long offset, int fan, float[] out) {
        heNormal(seed, offset, fan, Check.array(out, "out"));
    }

    /** He normal into a segment; see {@link #heNormal(long, long, int, float[])}. */
    public static void heNormal(long seed, long offset, int fan, MemorySegment out) {
        normal(seed, offset, Math.sqrt(2.0 / fan(fan, "fan")), out);
    }

    private static double fans(int fanIn, int fanOut) {
        return (double) fan(fanIn, "fanIn") + fan(fanOut, "fanOut");
    }

    private static int fan(int fan, String name) {
        if (fan < 1) {
            throw new IllegalArgumentException(name + " = " + fan + " must be >= 1");
        }
        return fan;
    }

    private static void uniform(long seed, long offset, double bound, MemorySegment out) {
        long n = Check.output(out, "out");
        Check.streamOffset(offset, n);
        float b = (float) bound;
        Streams.uniform(Providers.kernels(), seed, offset, 2 * b * BoxMuller.UNIT, -b, out, n);
    }

    private static void normal(long seed, long offset, double std, MemorySegment out) {
        long n = Check.output(out, "out");
        Check.streamOffset(offset, n);
        Streams.normal(Providers.kernels(), seed, offset, null, (float) std, out, n);
    }
}
