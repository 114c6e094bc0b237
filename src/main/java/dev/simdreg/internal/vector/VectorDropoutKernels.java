package dev.simdreg.internal.vector;

import dev.simdreg.internal.BitMasks;
import dev.simdreg.internal.DropoutKernels;
import dev.simdreg.internal.ScalarDropoutKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.load;
import static dev.simdreg.internal.vector.Species.loopEnd;
import static dev.simdreg.internal.vector.Species.store;

/** Vector dropout kernels: a mask's 64-bit group becomes lane masks by {@code VectorMask.fromLong} (kmov on x86). */
final class VectorDropoutKernels implements DropoutKernels {

    private static final FloatVector ZERO = FloatVector.zero(FLOATS);

    @Override
    public void applyMask(MemorySegment x, MemorySegment y, long from, int n, MemorySegment mask, ByteOrder order,
                          long firstGroup, float[] scales, int period, int phase) {
        int column = phase;
        int done = 0;
        for (int whole = n & -64; done < whole; done += 64) {
            long bits = BitMasks.read(mask, order, firstGroup + (done >>> 6));
            for (int e = 0; e < 64; e += LANES) {
                long i = from + done + e;
                VectorMask<Float> keep = VectorMask.fromLong(FLOATS, bits >>> e);
                FloatVector scale = FloatVector.fromArray(FLOATS, scales, column);
                store(ZERO.blend(load(x, i).mul(scale), keep), y, i);
                column += LANES;
                if (column >= period) {
                    column -= period;
                }
            }
        }
        if (done < n) {
            long bits = BitMasks.read(mask, order, firstGroup + (done >>> 6));
            ScalarDropoutKernels.applyGroup(x, y, from + done, n - done, bits, scales, column);
        }
    }

    @Override
    public void scale(MemorySegment x, MemorySegment y, long from, int n, float factor) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            store(load(x, from + k).mul(factor), y, from + k);
        }
        ScalarDropoutKernels.scaleRange(x, y, from + k, n - k, factor);
    }

    @Override
    public void scaleColumns(MemorySegment w, MemorySegment out, int rows, int cols, float[] factors) {
        for (int r = 0; r < rows; r++) {
            long row = (long) r * cols;
            int c = 0;
            for (int end = loopEnd(0, cols, LANES); c < end; c += LANES) {
                store(load(w, row + c).mul(FloatVector.fromArray(FLOATS, factors, c)), out, row + c);
            }
            ScalarDropoutKernels.scaleRowRange(w, out, row, c, cols, factors);
        }
    }
}
