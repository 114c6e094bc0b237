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

    /** {@code out[from + k] = (words[wordFrom + k] >>> 8) · 2^-24}: the 24 high bits as a float in [0, 1). */
    void uniform(int[] words, int wordFrom, MemorySegment out, long from, int n);

    /**
     * Box–Muller over whole tiles: word k (bit 4 of k clear) and its partner k + 16 give
     * {@code normals[k] = r·cos θ} and {@code normals[k + 16] = r·sin θ}, with {@code r = sqrt(−2 ln(1 − u_k))}
     * and {@code θ = 2π·u_{k+16}} from the 24-bit uniforms of the two words.
     */
    void normals(int[] words, int tiles, float[] normals);

    /** {@code out[from + k] = x[from + k] + sigma · z[zFrom + k]}; out may be x. */
    void addScaled(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from, int n);

    /**
     * Keep decisions of whole tiles of 64 elements: bit e of {@code bits[t]} is set when the 16-bit draw of
     * element {@code 64t + e} (see {@link Streams}) is below {@code thresholds[(phase + 64t + e) mod period]}.
     * thresholds holds at least {@code period + 64} entries and repeats with the period, which is at least 16.
     */
    void keepBits(int[] words, int tiles, int[] thresholds, int period, int phase, long[] bits);
}
