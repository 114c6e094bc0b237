package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;

import static dev.simdreg.internal.Floats.get;
import static dev.simdreg.internal.Floats.set;

/** Scalar random-stream kernels; the static methods are also the vector kernels' tails. */
public final class ScalarRandomKernels implements RandomKernels {

    @Override
    public void words(long seed, long firstTile, int tiles, int[] words) {
        int k0 = Philox.key0(seed), k1 = Philox.key1(seed);
        for (int t = 0; t < tiles; t++) {
            long first = (firstTile + t) * Philox.BLOCKS_PER_TILE;
            for (int b = 0; b < Philox.BLOCKS_PER_TILE; b++) {
                long counter = first + b;
                int at = t * Philox.WORDS_PER_TILE + 2 * b;
                Philox.block(k0, k1, (int) counter, (int) (counter >>> 32), 0, 0, words, at, at + 16);
            }
        }
    }

    @Override
    public void uniform(int[] words, int wordFrom, int groups, MemorySegment out, long from, float scale, float shift) {
        for (int g = 0; g < groups; g++) {
            for (int e = 0; e < 64; e++) {
                set(out, from + 64L * g + e, Math.fma(bits24(words, wordFrom + 48 * g, e), scale, shift));
            }
        }
    }

    /** The 24 bits of float e of the uniform group whose words start at w (see {@link RandomKernels#uniform}). */
    static int bits24(int[] words, int w, int e) {
        int l = e & 15;
        if (e < 48) {
            return words[w + e] >>> 8;
        }
        return words[w + l] & 0xFF | (words[w + 16 + l] & 0xFF) << 8 | (words[w + 32 + l] & 0xFF) << 16;
    }

    @Override
    public void normals(int[] words, int tiles, float[] normals) {
        for (int t = 0; t < tiles; t++) {
            normalPairs(words, normals, t * Philox.WORDS_PER_TILE);
        }
    }

    /** The 16 pairs of the tile at {@code tile}. */
    private static void normalPairs(int[] words, float[] normals, int tile) {
        for (int k = tile; k < tile + 16; k++) {
            float r = BoxMuller.radius(words[k]);
            int angle = words[k + 16];
            int q = BoxMuller.quadrant(angle);
            float a = BoxMuller.remainder(angle, q);
            float sin = BoxMuller.sin(a), cos = BoxMuller.cos(a);
            normals[k] = r * BoxMuller.cosine(q, sin, cos);
            normals[k + 16] = r * BoxMuller.sine(q, sin, cos);
        }
    }

    @Override
    public void scale(float[] z, int zFrom, float factor, MemorySegment out, long from, int n) {
        scaleRange(z, zFrom, factor, out, from, n);
    }

    public static void scaleRange(float[] z, int zFrom, float factor, MemorySegment out, long from, int n) {
        for (int k = 0; k < n; k++) {
            set(out, from + k, factor * z[zFrom + k]);
        }
    }

    @Override
    public void addScaled(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from, int n) {
        addScaledRange(x, z, zFrom, sigma, out, from, n);
    }

    public static void addScaledRange(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from,
                                      int n) {
        for (int k = 0; k < n; k++) {
            long i = from + (long) k;
            set(out, i, Math.fma(sigma, z[zFrom + k], get(x, i)));
        }
    }

    @Override
    public void keepBits(int[] words, int tiles, int[] thresholds, int period, int phase, long[] bits) {
        for (int t = 0; t < tiles; t++) {
            int column = (int) ((phase + 64L * t) % period);
            bits[t] = keepBitsOfTile(words, t * Philox.WORDS_PER_TILE, thresholds, column);
        }
    }

    /**
     * One tile's keep decisions; element e has the threshold at {@code column + e} (thresholds repeat). Without
     * a branch: a kept/dropped branch is mispredicted half the time at π = 0.5 (3 ns per element, measured).
     * Draws and thresholds lie in [0, 2^16], so the difference is negative exactly when the draw is below.
     */
    static long keepBitsOfTile(int[] words, int tile, int[] thresholds, int column) {
        long bits = 0;
        for (int e = 0; e < 64; e++) {
            bits |= (long) ((draw16(words, tile, e) - thresholds[column + e]) >>> 31) << e;
        }
        return bits;
    }

    /** The 16-bit draw of element e of a tile: a half of word {@code 16·(e >>> 5) + (e & 15)}, the high half for bit 4 of e. */
    static int draw16(int[] words, int tile, int e) {
        int word = words[tile + 16 * (e >>> 5) + (e & 15)];
        return (e & 16) == 0 ? word & 0xFFFF : word >>> 16;
    }
}
