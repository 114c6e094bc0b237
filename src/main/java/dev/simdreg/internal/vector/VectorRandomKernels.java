package dev.simdreg.internal.vector;

import dev.simdreg.internal.BoxMuller;
import dev.simdreg.internal.Philox;
import dev.simdreg.internal.RandomKernels;
import dev.simdreg.internal.ScalarRandomKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.INTS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.LONGS;
import static dev.simdreg.internal.vector.Species.load;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.splat;
import static dev.simdreg.internal.vector.Species.store;

/**
 * Vector random-stream kernels. Philox runs one block per 64-bit lane, its 32-bit words zero-extended,
 * so that a lane multiply is the 32×32→64-bit product the rounds need.
 */
final class VectorRandomKernels implements RandomKernels {

    private static final long LOW = 0xFFFF_FFFFL;
    private static final long M0 = Philox.M0 & LOW;
    private static final long M1 = Philox.M1 & LOW;
    private static final int BLOCK_LANES = LONGS.length();
    /** Lane groups per tile: 1 at 512 bits, 4 at 128. */
    private static final int GROUPS_PER_TILE = Philox.BLOCKS_PER_TILE / BLOCK_LANES;
    private static final LongVector IOTA = LongVector.zero(LONGS).addIndex(1);

    /**
     * Four lane groups per iteration, their rounds interleaved by hand: one group's round is a chain of
     * multiply, shift and xor (5 cycles), so one group at a time left the core waiting. In a standalone
     * prototype four ran 1.7 times faster (0.225 against 0.38 ns per word at 512 bits), eight spilled
     * registers. Here C2 does not yet keep the vectors unboxed: 4-11 ns per word (measured, issue 4 open).
     * The low product halves are masked where they are kept, so the multiplies see zero-extended inputs.
     */
    @Override
    public void words(long seed, long firstTile, int tiles, int[] words) {
        int k0 = Philox.key0(seed), k1 = Philox.key1(seed);
        long firstBlock = firstTile * Philox.BLOCKS_PER_TILE;
        for (int g = 0, groups = tiles * GROUPS_PER_TILE; g < groups; g += TILE_GROUP) {
            LongVector c0a = counters(firstBlock, g), c0b = counters(firstBlock, g + 1);
            LongVector c0c = counters(firstBlock, g + 2), c0d = counters(firstBlock, g + 3);
            LongVector c1a = high(firstBlock, g), c1b = high(firstBlock, g + 1);
            LongVector c1c = high(firstBlock, g + 2), c1d = high(firstBlock, g + 3);
            LongVector zero = LongVector.zero(LONGS);
            LongVector c2a = zero, c2b = zero, c2c = zero, c2d = zero;
            LongVector c3a = zero, c3b = zero, c3c = zero, c3d = zero;
            int key0 = k0, key1 = k1;
            for (int round = 0; round < Philox.ROUNDS; round++) {
                long a = key0 & LOW, b = key1 & LOW;
                LongVector p0a = c0a.mul(M0), p1a = c2a.mul(M1);
                LongVector p0b = c0b.mul(M0), p1b = c2b.mul(M1);
                LongVector p0c = c0c.mul(M0), p1c = c2c.mul(M1);
                LongVector p0d = c0d.mul(M0), p1d = c2d.mul(M1);
                c0a = mix(p1a, c1a, a);
                c2a = mix(p0a, c3a, b);
                c0b = mix(p1b, c1b, a);
                c2b = mix(p0b, c3b, b);
                c0c = mix(p1c, c1c, a);
                c2c = mix(p0c, c3c, b);
                c0d = mix(p1d, c1d, a);
                c2d = mix(p0d, c3d, b);
                c1a = p1a.and(LOW);
                c3a = p0a.and(LOW);
                c1b = p1b.and(LOW);
                c3b = p0b.and(LOW);
                c1c = p1c.and(LOW);
                c3c = p0c.and(LOW);
                c1d = p1d.and(LOW);
                c3d = p0d.and(LOW);
                key0 += Philox.W0;
                key1 += Philox.W1;
            }
            storeWords(words, g, c0a, c1a, c2a, c3a);
            storeWords(words, g + 1, c0b, c1b, c2b, c3b);
            storeWords(words, g + 2, c0c, c1c, c2c, c3c);
            storeWords(words, g + 3, c0d, c1d, c2d, c3d);
        }
    }

    /**
     * Counter word 0 of the blocks of lane group g. Groups never straddle a multiple of 8 blocks, nor so
     * 2^32: the low word has no carry into the high one.
     */
    private static LongVector counters(long firstBlock, int g) {
        return IOTA.add((firstBlock + (long) g * BLOCK_LANES) & LOW);
    }

    private static LongVector high(long firstBlock, int g) {
        return LongVector.broadcast(LONGS, (firstBlock + (long) g * BLOCK_LANES) >>> 32);
    }

    /** {@code hi(product) ^ word ^ key}, all zero-extended. */
    private static LongVector mix(LongVector product, LongVector word, long key) {
        return product.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, word)
                .lanewise(VectorOperators.XOR, key);
    }

    /** Words 0 and 1, then 2 and 3, interleaved by block at the group's place in its tile (see {@link Philox}). */
    private static void storeWords(int[] words, int g, LongVector c0, LongVector c1, LongVector c2, LongVector c3) {
        int at = (g / GROUPS_PER_TILE) * Philox.WORDS_PER_TILE + (g % GROUPS_PER_TILE) * 2 * BLOCK_LANES;
        c0.or(c1.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts().intoArray(words, at);
        c2.or(c3.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts().intoArray(words, at + 16);
    }

    @Override
    public void uniform(int[] words, int wordFrom, MemorySegment out, long from, int n) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            store(uniform(IntVector.fromArray(INTS, words, wordFrom + k)), out, from + (long) k);
        }
        ScalarRandomKernels.uniformRange(words, wordFrom + k, out, from + k, n - k);
    }

    private static FloatVector uniform(IntVector word) {
        return ((FloatVector) word.lanewise(VectorOperators.LSHR, 8).convert(VectorOperators.I2F, 0)).mul(BoxMuller.UNIT);
    }

    @Override
    public void normals(int[] words, int tiles, float[] normals) {
        for (int t = 0; t < tiles; t++) {
            int tile = t * Philox.WORDS_PER_TILE;
            int k = 0;
            for (int end = loopEnd(0, 16, LANES); k < end; k += LANES) {
                FloatVector r = radius(IntVector.fromArray(INTS, words, tile + k));
                IntVector angle = IntVector.fromArray(INTS, words, tile + k + 16);
                IntVector q = angle.lanewise(VectorOperators.LSHR, 8).add(1 << 21).lanewise(VectorOperators.LSHR, 22);
                FloatVector a = ((FloatVector) angle.lanewise(VectorOperators.LSHR, 8)
                        .sub(q.lanewise(VectorOperators.LSHL, 22)).convert(VectorOperators.I2F, 0))
                        .mul(BoxMuller.QUARTER_STEP);
                FloatVector z = a.mul(a);
                FloatVector sin = a.mul(z).fma(z.fma(BoxMuller.S9, BoxMuller.S7).fma(z, splat(BoxMuller.S5)).fma(z, splat(BoxMuller.S3)), a);
                FloatVector cos = z.fma(BoxMuller.C10, BoxMuller.C8).fma(z, splat(BoxMuller.C6)).fma(z, splat(BoxMuller.C4))
                        .fma(z, splat(BoxMuller.C2)).fma(z, splat(1f));
                VectorMask<Float> swap = q.and(1).compare(VectorOperators.NE, 0).cast(FLOATS);
                FloatVector cosine = signed(cos.blend(sin, swap), q.add(1).and(2).lanewise(VectorOperators.LSHL, 30));
                FloatVector sine = signed(sin.blend(cos, swap), q.and(2).lanewise(VectorOperators.LSHL, 30));
                r.mul(cosine).intoArray(normals, tile + k);
                r.mul(sine).intoArray(normals, tile + k + 16);
            }
            ScalarRandomKernels.normalPairs(words, normals, tile, k);
        }
    }

    /** {@link BoxMuller#radius}, lane by lane, the same operations in the same order. */
    private static FloatVector radius(IntVector word) {
        FloatVector v = uniform(word).neg().add(1f);
        IntVector bits = v.reinterpretAsInts();
        IntVector exponent = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
        FloatVector m = bits.and(0x7F_FFFF).or(0x3F80_0000).reinterpretAsFloats();
        VectorMask<Float> high = m.compare(VectorOperators.GT, BoxMuller.SQRT2);
        m = m.blend(m.mul(0.5f), high);
        exponent = exponent.add(IntVector.broadcast(INTS, 1), high.cast(INTS));
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector z = s.mul(s);
        FloatVector series = z.fma(BoxMuller.L9, BoxMuller.L7).fma(z, splat(BoxMuller.L5)).fma(z, splat(BoxMuller.L3));
        FloatVector log = ((FloatVector) exponent.convert(VectorOperators.I2F, 0))
                .fma(splat(BoxMuller.LN2), s.mul(z).fma(series, s.mul(2f)));
        return log.mul(-2f).sqrt();
    }

    private static FloatVector signed(FloatVector v, IntVector signBit) {
        return v.reinterpretAsInts().lanewise(VectorOperators.XOR, signBit).reinterpretAsFloats();
    }

    @Override
    public void addScaled(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from, int n) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            long i = from + (long) k;
            store(FloatVector.fromArray(FLOATS, z, zFrom + k).fma(splat(sigma), load(x, i)), out, i);
        }
        ScalarRandomKernels.addScaledRange(x, z, zFrom + k, sigma, out, from + k, n - k);
    }

    /** Elements e of a tile in order, LANES at a time: a half of 16 consecutive words holds 16 consecutive draws. */
    @Override
    public void keepBits(int[] words, int tiles, int[] thresholds, int period, int phase, long[] bits) {
        int column = phase;
        for (int t = 0; t < tiles; t++) {
            int tile = t * Philox.WORDS_PER_TILE;
            long tileBits = 0;
            for (int e = 0; e < 64; e += LANES) {
                IntVector word = IntVector.fromArray(INTS, words, tile + 16 * (e >>> 5) + (e & 15));
                IntVector draw = (e & 16) == 0 ? word.and(0xFFFF) : word.lanewise(VectorOperators.LSHR, 16);
                IntVector threshold = IntVector.fromArray(INTS, thresholds, column);
                tileBits |= draw.compare(VectorOperators.LT, threshold).toLong() << e;
                column += LANES;
                if (column >= period) {
                    column -= period;
                }
            }
            bits[t] = tileBits;
        }
    }
}
