package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The random streams, chunk by chunk over the kernels. Element j of a stream (j = offset + i for element i
 * of a call) is a function of (seed, j) alone:
 * <ul>
 * <li>a uniform float uses 24 bits of the words of its group of 64 (see {@link #uniform});</li>
 * <li>an integer draw and a normal use word j (see {@link Philox}); a normal pairs word
 *     j with word {@code j ^ 16}: r from the one with bit 4 clear, θ from the other, {@code r·cos θ} at
 *     the first and {@code r·sin θ} at the second;</li>
 * <li>a keep decision uses 16 bits: element j of the bit stream is the low half (bit 4 of j clear) or high
 *     half of word {@code 32·(j >>> 6) + 16·((j >>> 5) & 1) + (j & 15)}, kept when below the threshold.</li>
 * </ul>
 * So results do not depend on the provider, the vector width, or how a call is split.
 */
public final class Streams {

    private static final int WORD_CHUNK = StreamScratch.CHUNK_TILES * Philox.WORDS_PER_TILE;
    /**
     * Uniform groups of 48 words per chunk, which may start 16 words into a tile; a multiple of 8, so that
     * aligned chunks are whole iterations of the vector generator (8 groups are 12 tiles).
     */
    private static final int UNIFORM_GROUPS = ((WORD_CHUNK - 16) / 48) & -8;
    /** Elements per chunk of keep bits: the scratch holds their mask. */
    public static final int BIT_CHUNK = StreamScratch.CHUNK_TILES * 64;
    /** Parts of a split call start on a uniform group and a word of keep bits. */
    private static final long GRAIN = 64;
    private static final long LOW = 0xFFFF_FFFFL;

    private Streams() {
    }

    /**
     * {@code out[i] = fma(b, scale, shift)} for the 24 bits b of element {@code offset + i}: element j is
     * float {@code j mod 64} of uniform group {@code j / 64}, made of words {@code [48·(j / 64), 48·(j / 64) + 48)}
     * as {@link RandomKernels#uniform} says. Groups the call covers in part go through the scratch.
     */
    public static void uniform(Kernels kernels, long seed, long offset, float scale, float shift, MemorySegment out,
                               long n) {
        Parallel.run(n, GRAIN, Parallel.RANDOM_PART, Parallel.shared(out),
                (from, to) -> uniform(kernels, seed, offset, scale, shift, out, from, to));
    }

    /** {@link #uniform} of elements {@code [from, to)} of the call. */
    private static void uniform(Kernels kernels, long seed, long offset, float scale, float shift, MemorySegment out,
                                long from, long to) {
        StreamScratch s = StreamScratch.get();
        for (long done = from; done < to; ) {
            long j = offset + done;
            int skip = (int) (j & 63);
            if (skip != 0 || to - done < 64) {
                int count = (int) Math.min(64 - skip, to - done);
                uniformGroups(kernels, seed, j >>> 6, 1, scale, shift, s.uniformGroup, 0, s);
                MemorySegment.copy(s.uniformGroup, (long) skip * Float.BYTES, out, done * Float.BYTES,
                        (long) count * Float.BYTES);
                done += count;
            } else {
                int groups = (int) Math.min(UNIFORM_GROUPS, (to - done) >>> 6);
                uniformGroups(kernels, seed, j >>> 6, groups, scale, shift, out, done, s);
                done += 64L * groups;
            }
        }
    }

    /** Uniform groups {@code [first, first + groups)} into out from element {@code from}. */
    private static void uniformGroups(Kernels kernels, long seed, long first, int groups, float scale, float shift,
                                      MemorySegment out, long from, StreamScratch s) {
        long firstWord = 48 * first;
        int skip = (int) (firstWord & 31);
        kernels.random().words(seed, firstWord >>> 5, (skip + 48 * groups + 31) >>> 5, s.words);
        kernels.random().uniform(s.words, skip, groups, out, from, scale, shift);
    }

    /** {@code out[i] = x[i] + sigma·z[i]}, or {@code sigma·z[i]} when x is null, z the normal of element {@code offset + i}. */
    public static void normal(Kernels kernels, long seed, long offset, MemorySegment x, float sigma, MemorySegment out,
                              long n) {
        Parallel.run(n, GRAIN, Parallel.RANDOM_PART, Parallel.shared(x, out),
                (from, to) -> normal(kernels, seed, offset, x, sigma, out, from, to));
    }

    /** {@link #normal} of elements {@code [from, to)} of the call. */
    private static void normal(Kernels kernels, long seed, long offset, MemorySegment x, float sigma, MemorySegment out,
                               long from, long to) {
        StreamScratch s = StreamScratch.get();
        for (long done = from; done < to; ) {
            int skip = (int) ((offset + done) & 31);
            int count = (int) Math.min(WORD_CHUNK - skip, to - done);
            int tiles = (skip + count + 31) >>> 5;
            kernels.random().words(seed, (offset + done) >>> 5, tiles, s.words);
            kernels.random().normals(s.words, tiles, s.normals);
            if (x == null) {
                kernels.random().scale(s.normals, skip, sigma, out, done, count);
            } else {
                kernels.random().addScaled(x, s.normals, skip, sigma, out, done, count);
            }
            done += count;
        }
    }

    /**
     * {@code out[i]} uniform in [0, bound) without bias: Lemire's multiply-and-reject on word
     * {@code j = offset + i}; a rejected draw (probability below bound/2^32) is redrawn from word 0 of the
     * block with counter {@code (low(j), high(j), attempt, RETRY_DOMAIN)}, so it too depends on (seed, j) alone.
     */
    public static void boundedInts(Kernels kernels, long seed, long offset, int bound, MemorySegment out, long n) {
        boundedInts(kernels, seed, offset, bound, bound, out, n);
    }

    /**
     * {@link #boundedInts(Kernels, long, long, int, MemorySegment, long)} with two bounds taking turns: element
     * i of the call is drawn below {@code even} for even i and below {@code odd} for odd i, as the crops draw
     * each corner's row and column.
     */
    public static void boundedInts(Kernels kernels, long seed, long offset, int even, int odd, MemorySegment out,
                                   long n) {
        Parallel.run(n, GRAIN, Parallel.RANDOM_PART, Parallel.shared(out),
                (from, to) -> boundedInts(kernels, seed, offset, even, odd, out, from, to));
    }

    /** {@link #boundedInts(Kernels, long, long, int, int, MemorySegment, long)} of elements {@code [from, to)}. */
    private static void boundedInts(Kernels kernels, long seed, long offset, int even, int odd, MemorySegment out,
                                    long from, long to) {
        StreamScratch s = StreamScratch.get();
        long rejectEven = (-even & LOW) % even, rejectOdd = (-odd & LOW) % odd;
        for (long done = from; done < to; ) {
            int skip = (int) ((offset + done) & 31);
            int count = (int) Math.min(WORD_CHUNK - skip, to - done);
            kernels.random().words(seed, (offset + done) >>> 5, (skip + count + 31) >>> 5, s.words);
            for (int k = 0; k < count; k++) {
                boolean isEven = ((done + k) & 1) == 0;
                int value = lemire(seed, offset + done + k, s.words[skip + k], isEven ? even : odd,
                        isEven ? rejectEven : rejectOdd, s.block);
                out.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, done + k, value);
            }
            done += count;
        }
    }

    /** Lemire's multiply-shift of word, redrawn from element j's retry blocks while it falls below rejectBelow. */
    private static int lemire(long seed, long j, int word, long bound, long rejectBelow, int[] block) {
        long product = (word & LOW) * bound;
        for (int attempt = 1; (product & LOW) < rejectBelow; attempt++) {
            Philox.block(Philox.key0(seed), Philox.key1(seed), (int) j, (int) (j >>> 32), attempt, Philox.RETRY_DOMAIN,
                    block, 0, 2);
            product = (block[0] & LOW) * bound;
        }
        return (int) (product >>> 32);
    }

    /** The keep bits of elements {@code offset + i}, i < n, into mask (see {@link BitMasks}); thresholds as prepared in s. */
    public static void keepBits(Kernels kernels, long seed, long offset, StreamScratch s, MemorySegment mask,
                                ByteOrder order, long n) {
        Parallel.run(n, GRAIN, Parallel.RANDOM_PART, Parallel.shared(mask), (from, to) -> {
            StreamScratch local = StreamScratch.get().keepAs(s);
            for (long done = from; done < to; done += BIT_CHUNK) {
                int count = (int) Math.min(BIT_CHUNK, to - done);
                BitMasks.writeGroups(mask, order, done >>> 6, local.aligned,
                        keepChunk(kernels, seed, offset, local, done, count));
            }
        });
    }

    /**
     * Dropout: keep bits as {@link #keepBits}, written to mask unless it is null, and
     * {@code y[i] = kept ? x[i]·scale : 0} with the scales prepared in s.
     */
    public static void dropout(Kernels kernels, long seed, long offset, StreamScratch s, MemorySegment x,
                               MemorySegment y, MemorySegment mask, ByteOrder order, long n) {
        Parallel.run(n, GRAIN, Parallel.RANDOM_PART, Parallel.shared(x, y, mask, null), (from, to) -> {
            StreamScratch local = StreamScratch.get().keepAs(s);
            for (long done = from; done < to; done += BIT_CHUNK) {
                int count = (int) Math.min(BIT_CHUNK, to - done);
                int groups = keepChunk(kernels, seed, offset, local, done, count);
                if (mask != null) {
                    BitMasks.writeGroups(mask, order, done >>> 6, local.aligned, groups);
                }
                applyMask(kernels, x, y, done, count, local);
            }
        });
    }

    /** {@code y[from + k] = bit k of s.aligned ? x[from + k]·scale : 0} for k < count, with the scales prepared in s. */
    public static void applyMask(Kernels kernels, MemorySegment x, MemorySegment y, long from, int count,
                                 StreamScratch s) {
        if (s.perUnit) {
            kernels.dropout().applyMask(x, y, from, count, s.aligned, s.scales, s.period, (int) (from % s.period));
        } else {
            kernels.dropout().applyMask(x, y, from, count, s.aligned, s.scales[0]);
        }
    }

    /**
     * Keep bits of elements {@code [done, done + count)} of the call (done a multiple of 64), aligned to
     * them in {@code s.aligned}, bits past count cleared; returns the number of 64-bit groups.
     */
    private static int keepChunk(Kernels kernels, long seed, long offset, StreamScratch s, long done, int count) {
        long first = offset + done;
        int shift = (int) (first & 63);
        int tiles = (shift + count + 63) >>> 6;
        kernels.random().words(seed, first >>> 6, tiles, s.words);
        kernels.random().keepBits(s.words, tiles, s.thresholds, s.period, (int) Math.floorMod(done - shift, s.period),
                s.tileBits);
        int groups = (count + 63) >>> 6;
        for (int g = 0; g < groups; g++) {
            s.aligned[g] = shift == 0 ? s.tileBits[g] : s.tileBits[g] >>> shift | s.tileBits[g + 1] << (64 - shift);
        }
        s.aligned[groups - 1] = BitMasks.low(s.aligned[groups - 1], count - 64L * (groups - 1));
        return groups;
    }
}
