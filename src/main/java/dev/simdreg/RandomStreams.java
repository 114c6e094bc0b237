package dev.simdreg;

import dev.simdreg.internal.BoxMuller;
import dev.simdreg.internal.Check;
import dev.simdreg.internal.Philox;
import dev.simdreg.internal.Providers;
import dev.simdreg.internal.StreamScratch;
import dev.simdreg.internal.Streams;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Counter-based random streams on Philox4x32-10 (Salmon et al., SC'11; the Random123 library).
 *
 * <p>A stream is a 64-bit seed; its draws are numbered from 0. A call draws elements
 * {@code offset, offset + 1, …, offset + n − 1}, and element {@code j} is a fixed function of
 * {@code (seed, j)} alone: the same on the vector and scalar providers, at every vector width, however the
 * work is split into calls or threads. To get fresh draws at each training step, advance the offset by the
 * number of elements drawn (PyTorch's Philox offset); different uses of one (seed, offset) are correlated.
 *
 * <p>Philox key {@code (k0, k1)} is the seed's low and high 32 bits. Its words are numbered
 * {@code k = 0, 1, …}: word k is word {@code 2·((k >>> 4) & 1) + (k & 1)} of the block with counter
 * {@code B = 8·(k >>> 5) + ((k & 15) >>> 1)}, as {@code (low(B), high(B), 0, 0)} (tiles of 32 words from
 * 8 blocks, in the order a 512-bit register holds them). Then:
 * <ul>
 * <li>{@link #uniform}: element j is {@code b·2^-24}, in [0, 1), for 24 bits b of the 48 words
 *     {@code w_0 … w_47} from word {@code 48·(j >>> 6)}: with {@code e = j & 63} and {@code l = j & 15},
 *     {@code b = w_e >>> 8} for e &lt; 48, else the low bytes of {@code w_l, w_{16+l}, w_{32+l}} as its bits
 *     0–7, 8–15 and 16–23. Three words make four floats: the generator is the whole cost;</li>
 * <li>{@link #normal}: Box–Muller on the pair of words {@code (j & ~16, j | 16)}, with {@code u = (word >>> 8)·2^-24}:
 *     {@code r = sqrt(−2 ln(1 − u))} from the first, {@code θ = 2π·u} from the second, element
 *     {@code j & ~16} gets {@code r·cos θ} and {@code j | 16} gets {@code r·sin θ}; |z| ≤ 5.77;</li>
 * <li>{@link #bernoulli} (and dropout): element j is 16 bits, the low (bit 4 of j clear) or high half of
 *     word {@code 32·(j >>> 6) + 16·((j >>> 5) & 1) + (j & 15)}, set when below {@code round(p·2^16)}: so p
 *     is realized to within 2^-17, and one word gives two decisions, which halves the cost of the
 *     generator, the whole cost of dropout;</li>
 * <li>{@link #boundedInts}: element j is Lemire's multiply-shift of word j, without modulo bias.</li>
 * </ul>
 *
 * <p>Arguments are checked before anything is written: offsets must be {@code >= 0} with
 * {@code offset + n <= Long.MAX_VALUE}; outputs must be writable.
 */
public final class RandomStreams {

    private RandomStreams() {
    }

    /**
     * The four words of Philox4x32-10 for a key and a 128-bit counter, for checking against published
     * known-answer vectors: key {@code (0, 0)} and counter {@code (0, 0, 0, 0)} give
     * {@code 6627e8d5 e169c58d bc57ac4c 9b00dbd8}.
     *
     * @param key     two words {@code (k0, k1)}
     * @param counter four words {@code (c0, c1, c2, c3)}
     * @return four new words
     */
    public static int[] philox(int[] key, int[] counter) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(counter, "counter");
        if (key.length != 2 || counter.length != 4) {
            throw new IllegalArgumentException("key has " + key.length + " words and counter " + counter.length
                    + "; Philox4x32 takes 2 and 4");
        }
        int[] out = new int[4];
        Philox.block(key[0], key[1], counter[0], counter[1], counter[2], counter[3], out, 0, 2);
        return out;
    }

    /** Uniform floats in [0, 1) with 24 random bits: {@code out[i]} is element {@code offset + i} of the stream. */
    public static void uniform(long seed, long offset, float[] out) {
        uniform(seed, offset, Check.array(out, "out"));
    }

    /** Uniform floats into a segment; see {@link #uniform(long, long, float[])}. */
    public static void uniform(long seed, long offset, MemorySegment out) {
        long n = Check.output(out, "out");
        Check.streamOffset(offset, n);
        Streams.uniform(Providers.kernels(), seed, offset, BoxMuller.UNIT, 0f, out, n);
    }

    /**
     * Standard normal floats by the Box–Muller transform (see the class comment). Every operation is
     * correctly rounded (logarithm and sine by fixed polynomials), so the bits are the same everywhere;
     * each value is within about 4e-7·(1 + |z|) of the exact transform of the same words. The 24-bit
     * uniforms bound |z| by {@code sqrt(48 ln 2) ≈ 5.77} (probability beyond: 8e-9), as PyTorch's CPU
     * {@code normal_}.
     */
    public static void normal(long seed, long offset, float[] out) {
        normal(seed, offset, Check.array(out, "out"));
    }

    /** Standard normal floats into a segment; see {@link #normal(long, long, float[])}. */
    public static void normal(long seed, long offset, MemorySegment out) {
        long n = Check.output(out, "out");
        Check.streamOffset(offset, n);
        Streams.normal(Providers.kernels(), seed, offset, null, 1f, out, n);
    }

    /**
     * Bernoulli bits: bit i of the mask (bit {@code i mod 64} of {@code bits[i / 64]}) is set with
     * probability p, rounded to a multiple of 2^-16, for the 16-bit draw of element {@code offset + i}.
     * Bits beyond n in the last long are cleared; longs beyond it are not touched.
     *
     * @param p    in [0, 1]
     * @param bits at least {@code ceil(n / 64)} longs
     * @param n    the number of bits, {@code >= 0}
     */
    public static void bernoulli(long seed, long offset, float p, long[] bits, long n) {
        bernoulli(seed, offset, p, Check.mask(bits, "bits", Check.count(n, "n"), "n"), ByteOrder.nativeOrder(), n);
    }

    /**
     * Bernoulli bits into a byte mask: bit i is bit {@code i mod 8} of byte {@code i / 8}; see
     * {@link #bernoulli(long, long, float, long[], long)}. Only the first {@code ceil(n / 8)} bytes are written.
     */
    public static void bernoulli(long seed, long offset, float p, MemorySegment bits, long n) {
        bernoulli(seed, offset, p, Check.mask(bits, "bits", Check.count(n, "n"), "n", true), ByteOrder.LITTLE_ENDIAN, n);
    }

    private static void bernoulli(long seed, long offset, float p, MemorySegment mask, ByteOrder order, long n) {
        Check.fraction(p, "p");
        Check.streamOffset(offset, n);
        StreamScratch s = StreamScratch.get().keep(threshold(p), 1f);
        Streams.keepBits(Providers.kernels(), seed, offset, s, mask, order, n);
    }

    /**
     * Integers uniform in {@code [0, bound)}, without modulo bias (Lemire's multiply-shift with rejection;
     * a rejected element is redrawn from blocks of its own, so it too depends on (seed, offset + i) alone).
     *
     * @param bound {@code >= 1}
     */
    public static void boundedInts(long seed, long offset, int bound, int[] out) {
        boundedInts(seed, offset, bound, MemorySegment.ofArray(Objects.requireNonNull(out, "out")));
    }

    /** Bounded integers into a segment of ints (native order, any alignment); see {@link #boundedInts(long, long, int, int[])}. */
    public static void boundedInts(long seed, long offset, int bound, MemorySegment out) {
        long n = Check.intOutput(out, "out");
        if (bound < 1) {
            throw new IllegalArgumentException("bound = " + bound + " must be >= 1");
        }
        Check.streamOffset(offset, n);
        Streams.boundedInts(Providers.kernels(), seed, offset, bound, out, n);
    }

    /** The 16-bit keep threshold of probability p: draws below it are kept. */
    static int threshold(float p) {
        return (int) Math.round(p * 65536.0);
    }
}
