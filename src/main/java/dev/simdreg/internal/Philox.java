package dev.simdreg.internal;

/**
 * Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11),
 * and the layout of simdreg's streams on it.
 *
 * <p>A stream is a 64-bit seed, the Philox key {@code (k0, k1) = (low, high 32 bits of the seed)}. Its
 * 32-bit words are numbered {@code k = 0, 1, …} and come in tiles of 32 words from 8 Philox blocks: word
 * k is word {@code w} of block {@code B} with
 * <pre>
 *   B = 8·(k >>> 5) + ((k & 15) >>> 1),   w = 2·((k >>> 4) & 1) + (k & 1),
 *   counter of block B = (low 32 bits of B, high 32 bits of B, 0, 0).
 * </pre>
 * So the first 16 words of a tile are words 0 and 1 of its 8 blocks interleaved, the last 16 words 2 and
 * 3: the order in which a 512-bit register of eight 64-bit lanes, one block each, holds them. Narrower
 * registers and the scalar code write the same words to the same places.
 */
public final class Philox {

    public static final int WORDS_PER_TILE = 32;
    public static final int BLOCKS_PER_TILE = 8;
    public static final int M0 = 0xD2511F53;
    public static final int M1 = 0xCD9E8D57;
    public static final int W0 = 0x9E3779B9;
    public static final int W1 = 0xBB67AE85;
    public static final int ROUNDS = 10;
    /** Counter word 3 of the blocks that redraw a rejected bounded integer; the stream's own blocks have 0. */
    public static final int RETRY_DOMAIN = 1;

    private static final long LOW = 0xFFFF_FFFFL;

    private Philox() {
    }

    /**
     * The four words of block {@code counter} under key {@code (k0, k1)}: words 0 and 1 into
     * {@code out[at]} and {@code out[at + 1]}, words 2 and 3 into {@code out[secondAt]} and {@code out[secondAt + 1]}.
     */
    public static void block(int k0, int k1, int c0, int c1, int c2, int c3, int[] out, int at, int secondAt) {
        for (int round = 0; round < ROUNDS; round++) {
            long p0 = (c0 & LOW) * (M0 & LOW);
            long p1 = (c2 & LOW) * (M1 & LOW);
            int next0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int next2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = next0;
            c2 = next2;
            k0 += W0;
            k1 += W1;
        }
        out[at] = c0;
        out[at + 1] = c1;
        out[secondAt] = c2;
        out[secondAt + 1] = c3;
    }

    /** The seed's low half, Philox's key word 0. */
    public static int key0(long seed) {
        return (int) seed;
    }

    public static int key1(long seed) {
        return (int) (seed >>> 32);
    }
}
