package dev.simdreg.properties;

/**
 * The streams written straight from their documented definitions (RandomStreams' class comment), in
 * long and double arithmetic, independent of the library's code.
 */
final class ReferenceStreams {

    private ReferenceStreams() {
    }

    /** Philox4x32-10 of a 128-bit counter under a 64-bit key, as the SC'11 paper defines it. */
    static long[] philox(long k0, long k1, long c0, long c1, long c2, long c3) {
        long[] c = {c0 & 0xFFFFFFFFL, c1 & 0xFFFFFFFFL, c2 & 0xFFFFFFFFL, c3 & 0xFFFFFFFFL};
        long a = k0 & 0xFFFFFFFFL, b = k1 & 0xFFFFFFFFL;
        for (int round = 0; round < 10; round++) {
            long p0 = 0xD2511F53L * c[0];
            long p1 = 0xCD9E8D57L * c[2];
            c = new long[] {((p1 >>> 32) ^ c[1] ^ a) & 0xFFFFFFFFL, p1 & 0xFFFFFFFFL,
                    ((p0 >>> 32) ^ c[3] ^ b) & 0xFFFFFFFFL, p0 & 0xFFFFFFFFL};
            a = (a + 0x9E3779B9L) & 0xFFFFFFFFL;
            b = (b + 0xBB67AE85L) & 0xFFFFFFFFL;
        }
        return c;
    }

    /** Word k of the stream of seed, unsigned. */
    static long word(long seed, long k) {
        long block = 8 * (k >>> 5) + ((k & 15) >>> 1);
        int w = (int) (2 * ((k >>> 4) & 1) + (k & 1));
        return philox(seed, seed >>> 32, block, block >>> 32, 0, 0)[w];
    }

    /** The uniform fill's element j: 24 bits of the 48 words of its group of 64. */
    static double uniform(long seed, long j) {
        long first = 48 * (j >>> 6);
        int e = (int) (j & 63), l = (int) (j & 15);
        long bits = e < 48 ? word(seed, first + e) >>> 8
                : (word(seed, first + l) & 0xFF) | (word(seed, first + 16 + l) & 0xFF) << 8
                        | (word(seed, first + 32 + l) & 0xFF) << 16;
        return bits / 16777216.0;
    }

    /** The 24-bit uniform of word k alone, as Box–Muller uses it. */
    static double unit(long seed, long k) {
        return (word(seed, k) >>> 8) / 16777216.0;
    }

    /** Box–Muller in double from the two words of j's pair. */
    static double normal(long seed, long j) {
        double r = radius(seed, j);
        double theta = 2 * Math.PI * unit(seed, j | 16);
        return (j & 16) == 0 ? r * Math.cos(theta) : r * Math.sin(theta);
    }

    static double radius(long seed, long j) {
        return Math.sqrt(-2 * Math.log(1 - unit(seed, j & ~16L)));
    }

    /** The 16-bit draw of bit-stream element j. */
    static long draw16(long seed, long j) {
        long w = word(seed, 32 * (j >>> 6) + 16 * ((j >>> 5) & 1) + (j & 15));
        return (j & 16) == 0 ? w & 0xFFFF : w >>> 16;
    }

    static boolean kept(long seed, long j, double p) {
        return draw16(seed, j) < Math.round(p * 65536);
    }

    /** Lemire's multiply-shift with rejection, redraws from word 0 of block (j, attempt, 1). */
    static int bounded(long seed, long j, int bound) {
        long product = word(seed, j) * bound;
        long rejectBelow = (0x1_0000_0000L - bound) % bound;
        for (int attempt = 1; (product & 0xFFFFFFFFL) < rejectBelow; attempt++) {
            product = philox(seed, seed >>> 32, j, j >>> 32, attempt, 1)[0] * bound;
        }
        return (int) (product >>> 32);
    }
}
