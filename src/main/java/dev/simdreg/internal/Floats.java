package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element access for the scalar loops and vector tails: unaligned, so any float offset is accepted. */
public final class Floats {

    public static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private Floats() {
    }

    public static float get(MemorySegment s, long i) {
        return s.getAtIndex(LAYOUT, i);
    }

    public static void set(MemorySegment s, long i, float value) {
        s.setAtIndex(LAYOUT, i, value);
    }
}
