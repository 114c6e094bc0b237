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
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.INTS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.LONGS;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.splat;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * Vector random-stream kernels. Philox runs one block per 64-bit lane, its 32-bit words zero-extended,
 * so that a lane multiply is the 32×32→64-bit product the rounds need.
 */
final class VectorRandomKernels implements RandomKernels {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());

    private static final long LOW = 0xFFFF_FFFFL;
    private static final long M0 = Philox.M0 & LOW;
    private static final long M1 = Philox.M1 & LOW;
    private static final int BLOCK_LANES = LONGS.length();
    /** Lane groups per tile: 1 at 512 bits, 4 at 128. */
    private static final int GROUPS_PER_TILE = Philox.BLOCKS_PER_TILE / BLOCK_LANES;
    private static final LongVector IOTA = LongVector.zero(LONGS).addIndex(1);
    /** Constants, not calls in the loop: C2 would not inline even these (NodeCountInliningCutoff). */
    private static final int OFFSET_1 = wordOffset(1), OFFSET_2 = wordOffset(2), OFFSET_3 = wordOffset(3);

    /**
     * Four lane groups per iteration, their rounds interleaved by hand: one group's round is a chain of
     * multiply, shift and xor (5 cycles), so one group at a time left the core waiting; four ran 1.7 times
     * faster than one, eight spilled registers (measured). Everything is written out in this method: a helper
     * taking vectors (the xor-mix, the stores) hit C2's NodeCountInliningCutoff, and the vectors it was not
     * inlined with were boxed, 11 ns per word instead of 0.22. The low product halves are masked where they
     * are kept, so the multiplies see zero-extended inputs.
     */
    @Override
    public void words(long seed, long firstTile, int tiles, int[] words) {
        int k0 = Philox.key0(seed), k1 = Philox.key1(seed);
        long firstBlock = firstTile * Philox.BLOCKS_PER_TILE;
        LongVector zero = LongVector.zero(LONGS);
        // Groups never straddle a multiple of 8 blocks, so the low counter word has no carry into the high one.
        for (int g = 0, groups = tiles * GROUPS_PER_TILE; g < groups; g += TILE_GROUP) {
            long block = firstBlock + (long) g * BLOCK_LANES;
            LongVector c0a = IOTA.add(block & LOW), c0b = IOTA.add((block + BLOCK_LANES) & LOW);
            LongVector c0c = IOTA.add((block + 2 * BLOCK_LANES) & LOW), c0d = IOTA.add((block + 3 * BLOCK_LANES) & LOW);
            LongVector c1a = LongVector.broadcast(LONGS, block >>> 32), c1b = LongVector.broadcast(LONGS, (block + BLOCK_LANES) >>> 32);
            LongVector c1c = LongVector.broadcast(LONGS, (block + 2 * BLOCK_LANES) >>> 32);
            LongVector c1d = LongVector.broadcast(LONGS, (block + 3 * BLOCK_LANES) >>> 32);
            LongVector c2a = zero, c2b = zero, c2c = zero, c2d = zero;
            LongVector c3a = zero, c3b = zero, c3c = zero, c3d = zero;
            int key0 = k0, key1 = k1;
            for (int round = 0; round < Philox.ROUNDS; round++) {
                long a = key0 & LOW, b = key1 & LOW;
                LongVector p0a = c0a.mul(M0), p1a = c2a.mul(M1);
                LongVector p0b = c0b.mul(M0), p1b = c2b.mul(M1);
                LongVector p0c = c0c.mul(M0), p1c = c2c.mul(M1);
                LongVector p0d = c0d.mul(M0), p1d = c2d.mul(M1);
                c0a = p1a.lanewise(LSHR, 32).lanewise(XOR, c1a).lanewise(XOR, a);
                c2a = p0a.lanewise(LSHR, 32).lanewise(XOR, c3a).lanewise(XOR, b);
                c0b = p1b.lanewise(LSHR, 32).lanewise(XOR, c1b).lanewise(XOR, a);
                c2b = p0b.lanewise(LSHR, 32).lanewise(XOR, c3b).lanewise(XOR, b);
                c0c = p1c.lanewise(LSHR, 32).lanewise(XOR, c1c).lanewise(XOR, a);
                c2c = p0c.lanewise(LSHR, 32).lanewise(XOR, c3c).lanewise(XOR, b);
                c0d = p1d.lanewise(LSHR, 32).lanewise(XOR, c1d).lanewise(XOR, a);
                c2d = p0d.lanewise(LSHR, 32).lanewise(XOR, c3d).lanewise(XOR, b);
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
            // Words 0 and 1, then 2 and 3, interleaved by block at each group's place in its tile (see Philox).
            // g is a multiple of TILE_GROUP, so of GROUPS_PER_TILE: group g starts its tile.
            int a = (g / GROUPS_PER_TILE) * Philox.WORDS_PER_TILE, b = a + OFFSET_1, c = a + OFFSET_2, d = a + OFFSET_3;
            c0a.or(c1a.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, a);
            c2a.or(c3a.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, a + 16);
            c0b.or(c1b.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, b);
            c2b.or(c3b.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, b + 16);
            c0c.or(c1c.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, c);
            c2c.or(c3c.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, c + 16);
            c0d.or(c1d.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, d);
            c2d.or(c3d.lanewise(LSHL, 32)).reinterpretAsInts().intoArray(words, d + 16);
        }
    }

    /** Where lane group g's first word goes, from the start of group 0's tile. */
    private static int wordOffset(int g) {
        return (g / GROUPS_PER_TILE) * Philox.WORDS_PER_TILE + (g % GROUPS_PER_TILE) * 2 * BLOCK_LANES;
    }

    @Override
    public void uniform(int[] words, int wordFrom, int groups, MemorySegment out, long from, float scale, float shift) {
        for (int g = 0; g < groups; g++) {
            int w = wordFrom + 48 * g;
            long o = from + 64L * g;
            for (int l = 0; l < 16; l += LANES) {
                IntVector a = IntVector.fromArray(INTS, words, w + l);
                IntVector b = IntVector.fromArray(INTS, words, w + 16 + l);
                IntVector c = IntVector.fromArray(INTS, words, w + 32 + l);
                IntVector low = a.and(0xFF).or(b.and(0xFF).lanewise(LSHL, 8)).or(c.and(0xFF).lanewise(LSHL, 16));
                KIND.store(((FloatVector) a.lanewise(LSHR, 8).convert(VectorOperators.I2F, 0)).fma(scale, shift), out, o + l);
                KIND.store(((FloatVector) b.lanewise(LSHR, 8).convert(VectorOperators.I2F, 0)).fma(scale, shift), out,
                        o + 16 + l);
                KIND.store(((FloatVector) c.lanewise(LSHR, 8).convert(VectorOperators.I2F, 0)).fma(scale, shift), out,
                        o + 32 + l);
                KIND.store(((FloatVector) low.convert(VectorOperators.I2F, 0)).fma(scale, shift), out, o + 48 + l);
            }
        }
    }

    /**
     * Two passes over the chunk's tiles, radii then angles, each a loop with every vector operation written
     * out: in one loop, or through helpers taking vectors, C2 stopped inlining at its node cutoff and boxed
     * (2.9 ns per normal, measured). A tile's 16 pairs are a whole number of vectors at every width.
     */
    @Override
    public void normals(int[] words, int tiles, float[] normals) {
        radii(words, tiles, normals);
        rotate(words, tiles, normals);
    }

    /** {@link BoxMuller#radius} of each pair's first word into its first slot, the same operations in the same order. */
    private static void radii(int[] words, int tiles, float[] normals) {
        FloatVector one = FloatVector.broadcast(FLOATS, 1f), ln2 = FloatVector.broadcast(FLOATS, BoxMuller.LN2);
        FloatVector l3 = FloatVector.broadcast(FLOATS, BoxMuller.L3), l5 = FloatVector.broadcast(FLOATS, BoxMuller.L5);
        for (int t = 0; t < tiles; t++) {
            for (int k = t * Philox.WORDS_PER_TILE, end = k + 16; k < end; k += LANES) {
                FloatVector v = one.sub(((FloatVector) IntVector.fromArray(INTS, words, k).lanewise(LSHR, 8)
                        .convert(VectorOperators.I2F, 0)).mul(BoxMuller.UNIT));
                IntVector bits = v.reinterpretAsInts();
                IntVector exponent = bits.lanewise(LSHR, 23).sub(127);
                FloatVector m = bits.and(0x7F_FFFF).or(0x3F80_0000).reinterpretAsFloats();
                VectorMask<Float> high = m.compare(VectorOperators.GT, BoxMuller.SQRT2);
                m = m.blend(m.mul(0.5f), high);
                exponent = exponent.add(1, high.cast(INTS));
                FloatVector f = m.sub(1f);
                FloatVector s = f.div(f.add(2f));
                FloatVector z = s.mul(s);
                FloatVector series = z.fma(BoxMuller.L9, BoxMuller.L7).fma(z, l5).fma(z, l3);
                FloatVector log = ((FloatVector) exponent.convert(VectorOperators.I2F, 0))
                        .fma(ln2, s.mul(z).fma(series, s.mul(2f)));
                log.mul(-2f).sqrt().intoArray(normals, k);
            }
        }
    }

    /** Each pair's angle from its second word: {@code r·cos θ} and {@code r·sin θ} as {@link BoxMuller} computes them. */
    private static void rotate(int[] words, int tiles, float[] normals) {
        FloatVector one = FloatVector.broadcast(FLOATS, 1f);
        FloatVector s3 = FloatVector.broadcast(FLOATS, BoxMuller.S3), s5 = FloatVector.broadcast(FLOATS, BoxMuller.S5);
        FloatVector c2 = FloatVector.broadcast(FLOATS, BoxMuller.C2), c4 = FloatVector.broadcast(FLOATS, BoxMuller.C4);
        FloatVector c6 = FloatVector.broadcast(FLOATS, BoxMuller.C6);
        for (int t = 0; t < tiles; t++) {
            for (int k = t * Philox.WORDS_PER_TILE, end = k + 16; k < end; k += LANES) {
                IntVector angle = IntVector.fromArray(INTS, words, k + 16).lanewise(LSHR, 8);
                IntVector q = angle.add(1 << 21).lanewise(LSHR, 22);
                FloatVector a = ((FloatVector) angle.sub(q.lanewise(LSHL, 22)).convert(VectorOperators.I2F, 0))
                        .mul(BoxMuller.QUARTER_STEP);
                FloatVector z = a.mul(a);
                FloatVector sin = a.mul(z).fma(z.fma(BoxMuller.S9, BoxMuller.S7).fma(z, s5).fma(z, s3), a);
                FloatVector cos = z.fma(BoxMuller.C10, BoxMuller.C8).fma(z, c6).fma(z, c4).fma(z, c2).fma(z, one);
                VectorMask<Float> swap = q.and(1).compare(VectorOperators.NE, 0).cast(FLOATS);
                IntVector cosineSign = q.add(1).and(2).lanewise(LSHL, 30), sineSign = q.and(2).lanewise(LSHL, 30);
                FloatVector r = FloatVector.fromArray(FLOATS, normals, k);
                r.mul(cos.blend(sin, swap).reinterpretAsInts().lanewise(XOR, cosineSign).reinterpretAsFloats())
                        .intoArray(normals, k);
                r.mul(sin.blend(cos, swap).reinterpretAsInts().lanewise(XOR, sineSign).reinterpretAsFloats())
                        .intoArray(normals, k + 16);
            }
        }
    }

    @Override
    public void scale(float[] z, int zFrom, float factor, MemorySegment out, long from, int n) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            KIND.store(FloatVector.fromArray(FLOATS, z, zFrom + k).mul(factor), out, from + k);
        }
        ScalarRandomKernels.scaleRange(z, zFrom + k, factor, out, from + k, n - k);
    }

    @Override
    public void addScaled(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from, int n) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            long i = from + (long) k;
            KIND.store(FloatVector.fromArray(FLOATS, z, zFrom + k).fma(splat(sigma), KIND.load(x, i)), out, i);
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
