package dev.simdreg;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Philox4x32-10 against the known-answer vectors published with Random123 (kat_vectors). */
class PhiloxKnownAnswerTest {

    private static void check(int[] key, int[] counter, int... expected) {
        assertArrayEquals(expected, RandomStreams.philox(key, counter));
    }

    @Test
    void zeroKeyAndCounter() {
        check(new int[] {0, 0}, new int[] {0, 0, 0, 0}, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
    }

    @Test
    void allOnesKeyAndCounter() {
        check(new int[] {-1, -1}, new int[] {-1, -1, -1, -1}, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
    }

    @Test
    void digitsOfPi() {
        check(new int[] {0xa4093822, 0x299f31d0}, new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    }

    /** The streams are built on these blocks: word 0 of stream 0 is word 0 of block (0, 0, 0, 0). */
    @Test
    void streamWordsAreTheBlocks() {
        float[] u = new float[2];
        RandomStreams.uniform(0, 0, u);
        assertArrayEquals(new float[] {(0x6627e8d5 >>> 8) * 0x1p-24f, (0xe169c58d >>> 8) * 0x1p-24f}, u);
    }
}
