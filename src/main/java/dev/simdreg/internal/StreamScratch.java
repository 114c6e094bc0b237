package dev.simdreg.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Per-thread scratch of the random streams: one chunk's words, normals and keep bits (about 20 KiB, so
 * they stay in L1), the periodic keep thresholds and scales of the current call, and small off-heap
 * buffers for draws a caller keeps (a partial uniform group, the normals of PCA colour noise). A call takes it
 * and may call stream code that takes it too only while holding fields that code does not use, as
 * PCA colour noise holds {@link #floats} while {@link Streams#normal} fills it.
 */
public final class StreamScratch {

    /** Tiles of one chunk: 2048 words, 2048 floats or 4096 keep bits. */
    public static final int CHUNK_TILES = 64;

    private static final ThreadLocal<StreamScratch> PER_THREAD = ThreadLocal.withInitial(StreamScratch::new);
    /** One more tile for a chunk that starts inside one, then up to a group more for the vector generator. */
    private static final int WORDS = (CHUNK_TILES + 1 + RandomKernels.TILE_GROUP) * Philox.WORDS_PER_TILE;

    public final int[] words = new int[WORDS];
    public final float[] normals = new float[WORDS];
    public final long[] tileBits = new long[CHUNK_TILES + 2];
    public final long[] aligned = new long[CHUNK_TILES];
    public final int[] block = new int[4];
    /** The top and left corners of the random crops of up to 256 images, drawn in one call. */
    public final int[] corners = new int[512];
    /** {@link #corners} as a segment, made once. */
    public final MemorySegment cornerSegment = MemorySegment.ofArray(corners);
    /** One group of 64 uniform floats, for the groups a call covers in part. */
    public final MemorySegment uniformGroup = Arena.ofAuto().allocate(64L * Float.BYTES, 64);
    /** Keep thresholds and scales of the call, repeating with {@link #period} (see {@link Periodic}). */
    public int[] thresholds = new int[Periodic.MIN + Periodic.EXTRA];
    public float[] scales = new float[Periodic.MIN + Periodic.EXTRA];
    public int period;
    /** Whether the thresholds and scales differ by unit; when not, every entry is the first. */
    public boolean perUnit;
    /** One keep bit per channel of a channel-wise dropout call without a mask of the caller's. */
    public long[] channelBits = new long[0];
    /** Normals drawn for a few values per image (PCA colour noise). */
    private MemorySegment floats = Arena.ofAuto().allocate(64L * Float.BYTES, 64);

    private StreamScratch() {
    }

    public static StreamScratch get() {
        return PER_THREAD.get();
    }

    /** One keep threshold and scale for every element. */
    public StreamScratch keep(int threshold, float scale) {
        period = Periodic.MIN;
        perUnit = false;
        Arrays.fill(thresholds, 0, period + Periodic.EXTRA, threshold);
        Arrays.fill(scales, 0, period + Periodic.EXTRA, scale);
        return this;
    }

    /**
     * Tables for a keep probability per unit of a period of units: {@link #period} is set and the tables hold
     * at least {@code period + Periodic.EXTRA} entries, for the caller to fill (entry i for unit i mod units).
     */
    public StreamScratch perUnit(int units) {
        return period(Periodic.period(units), true);
    }

    /** Sets the period and whether it is per unit, growing the tables to it. */
    private StreamScratch period(int period, boolean perUnit) {
        this.period = period;
        this.perUnit = perUnit;
        if (thresholds.length < period + Periodic.EXTRA) {
            thresholds = new int[period + Periodic.EXTRA];
            scales = new float[period + Periodic.EXTRA];
        }
        return this;
    }

    /** This thread's scratch with the keep thresholds and scales of other's call, for a part of it; or other. */
    public StreamScratch keepAs(StreamScratch other) {
        if (other == this) {
            return this;
        }
        period(other.period, other.perUnit);
        System.arraycopy(other.thresholds, 0, thresholds, 0, period + Periodic.EXTRA);
        System.arraycopy(other.scales, 0, scales, 0, period + Periodic.EXTRA);
        return this;
    }

    /** n floats off-heap, valid until the next call that takes them; they do not overlap the other fields. */
    public MemorySegment floats(long n) {
        if (floats.byteSize() < n * Float.BYTES) {
            floats = Arena.ofAuto().allocate(Math.max(n, 2 * floats.byteSize() / Float.BYTES) * Float.BYTES, 64);
        }
        return floats.asSlice(0, n * Float.BYTES);
    }

    /** A bit array of at least n bits, as a segment of whole longs. */
    public MemorySegment channelMask(long n) {
        int longs = Math.toIntExact((n + 63) >>> 6);
        if (channelBits.length < longs) {
            channelBits = new long[longs];
        }
        return MemorySegment.ofArray(channelBits).asSlice(0, (long) longs * Long.BYTES);
    }
}
