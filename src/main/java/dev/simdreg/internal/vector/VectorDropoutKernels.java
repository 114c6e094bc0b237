package dev.simdreg.internal.vector;

import dev.simdreg.internal.DropoutKernels;
import dev.simdreg.internal.ScalarDropoutKernels;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;

import static dev.simdreg.internal.vector.Species.FLOATS;
import static dev.simdreg.internal.vector.Species.LANES;
import static dev.simdreg.internal.vector.Species.loopEnd;

/** Vector dropout kernels: a mask's 64-bit group becomes lane masks by {@code VectorMask.fromLong} (kmov on x86). */
final class VectorDropoutKernels implements DropoutKernels {

    /** The loads and stores of the class of segment this copy of the kernels is for (see {@link KindCopies}). */
    private static final FloatAccess KIND = Species.floatAccess(MethodHandles.lookup());

    private static final FloatVector ZERO = FloatVector.zero(FLOATS);

    @Override
    public void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float scale) {
        FloatVector factor = FloatVector.broadcast(FLOATS, scale);
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            VectorMask<Float> keep = VectorMask.fromLong(FLOATS, bits[k >>> 6] >>> (k & 63));
            KIND.store(ZERO.blend(KIND.load(x, from + k).mul(factor), keep), y, from + k);
        }
        ScalarDropoutKernels.applyRange(x, y, from, k, n, bits, scale);
    }

    /**
     * One flat int loop, the lane mask shifted out of the current 64-bit group: a nested loop over the groups
     * kept long index arithmetic and the segments' bounds checks in the loop, 9 times slower in L1 (measured).
     */
    @Override
    public void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float[] scales, int period,
                          int phase) {
        int column = phase;
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            VectorMask<Float> keep = VectorMask.fromLong(FLOATS, bits[k >>> 6] >>> (k & 63));
            FloatVector scale = FloatVector.fromArray(FLOATS, scales, column);
            KIND.store(ZERO.blend(KIND.load(x, from + k).mul(scale), keep), y, from + k);
            column += LANES;
            if (column >= period) {
                column -= period;
            }
        }
        if (k < n) {
            ScalarDropoutKernels.applyGroup(x, y, from + k, n - k, bits[k >>> 6] >>> (k & 63), scales, column);
        }
    }

    @Override
    public void scale(MemorySegment x, MemorySegment y, long from, int n, float factor) {
        int k = 0;
        for (int end = loopEnd(0, n, LANES); k < end; k += LANES) {
            KIND.store(KIND.load(x, from + k).mul(factor), y, from + k);
        }
        ScalarDropoutKernels.scaleRange(x, y, from + k, n - k, factor);
    }

    @Override
    public void scaleColumns(MemorySegment w, MemorySegment out, long firstRow, int rows, int cols, float[] factors) {
        for (int r = 0; r < rows; r++) {
            long row = (firstRow + r) * cols;
            int c = 0;
            for (int end = loopEnd(0, cols, LANES); c < end; c += LANES) {
                KIND.store(KIND.load(w, row + c).mul(FloatVector.fromArray(FLOATS, factors, c)), out, row + c);
            }
            ScalarDropoutKernels.scaleRowRange(w, out, row, c, cols, factors);
        }
    }
}
