package dev.simdreg.internal.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Per-channel coefficients copied to a per-thread native segment from a cache line, for loops that load a
 * register of coefficients per register of data (the input gradient's group table; long
 * rows, of {@link #LONG_ROW} channels and more, go through {@code ColumnWindows}' aligned table). A
 * float[]'s elements start 16 bytes into the object, so wherever the collector places it, three placements
 * in four make every 64-byte load of it straddle two cache lines: {@code [256, 1024]} inference ran at 24.3
 * µs from such arrays and 22.4 µs from aligned ones (measured), and moved between those from one JVM to the
 * next. Loops over shorter rows read the float[]s: there the table's checks, taken again for every row,
 * cost more than the split lines (NHWC {@code [16, 56, 56, 128]} inference 1.03 ms from arrays, 1.12 ms
 * from the table; equal at 256 channels; measured).
 */
final class AlignedColumns {

    /** Floats per cache line: every column starts at a multiple of it. */
    private static final int LINE = 16;
    /** Rows of at least this many channels are long: their loops go a window of columns at a time. */
    static final int LONG_ROW = 256;
    private static final ThreadScratch TABLE = new ThreadScratch();

    private AlignedColumns() {
    }

    /** Whether rows of C channels are long. */
    static boolean longRows(int channels) {
        return channels >= LONG_ROW;
    }

    /** Floats from one column's start to the next's, for C channels. */
    static long stride(int channels) {
        return (channels + LINE - 1) & -LINE;
    }

    /** The first n floats of column, from a cache line; valid until this thread's next call. */
    static MemorySegment of(int n, float[] column) {
        MemorySegment table = TABLE.atLeast(stride(n) * Float.BYTES);
        MemorySegment.copy(column, 0, table, ValueLayout.JAVA_FLOAT, 0, n);
        return table;
    }
}
