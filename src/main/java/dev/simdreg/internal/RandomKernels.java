package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

/**
 * Kernels of the random streams: Philox words in stream order (see {@link Philox}) and what the
 * streams make of them. Each provider gives the same bits for the same words; arguments are valid.
 */
public interface RandomKernels {

    /** {@link #words} may write up to a multiple of this many tiles: the vector generator runs four lane groups at once. */
    int TILE_GROUP = 4;

    /** Words {@code 32·firstTile …} of the stream of seed, 32 per tile, into {@code words[0 …)}. */
    void words(long seed, long firstTile, int tiles, int[] words);

    /**
     * Uniform floats of whole groups: group g's 48 words from {@code words[wordFrom + 48g]} give the 64 floats
     * from {@code out[from + 64g]}, each {@code fma(b, scale, shift)} for its 24 bits b. Float {@code 16q + l} (q < 3, l < 16) has the high 24
     * bits of word {@code 16q + l}; float {@code 48 + l} has the low bytes of words l, 16 + l and 32 + l, as its
     * bits 0–7, 8–15 and 16–23.
     */
    void uniform(int[] words, int wordFrom, int groups, MemorySegment out, long from, float scale, float shift);

    /**
     * Box–Muller over whole tiles: word k (bit 4 of k clear) and its partner k + 16 give
     * {@code normals[k] = r·cos θ} and {@code normals[k + 16] = r·sin θ}, with {@code r = sqrt(−2 ln(1 − u_k))}
     * and {@code θ = 2π·u_{k+16}} from the 24-bit uniforms of the two words.
     */
    void normals(int[] words, int tiles, float[] normals);

    /** {@code out[from + k] = factor · z[zFrom + k]}. */
    void scale(float[] z, int zFrom, float factor, MemorySegment out, long from, int n);

    /** {@code out[from + k] = x[from + k] + sigma · z[zFrom + k]}; out may be x. */
    void addScaled(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from, int n);

    /**
     * Keep decisions of whole tiles of 64 elements: bit e of {@code bits[t]} is set when the 16-bit draw of
     * element {@code 64t + e} (see {@link Streams}) is below {@code thresholds[(phase + 64t + e) mod period]}.
     * thresholds is a {@link Periodic} table.
     */
    void keepBits(int[] words, int tiles, int[] thresholds, int period, int phase, long[] bits);
}
