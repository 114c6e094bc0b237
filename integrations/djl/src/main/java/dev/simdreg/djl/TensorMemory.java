package dev.simdreg.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The float32 elements of a DJL {@link NDArray} as a {@link MemorySegment}, for simdreg's kernels.
 *
 * <p>Zero-copy where the engine allows it: when the array is on the CPU, dense, and
 * {@link NDArray#toByteBuffer(boolean) toByteBuffer(true)} returns a direct buffer over the tensor's own
 * memory (PyTorch: a contiguous strided CPU tensor, which every DJL parameter and gradient is), the segment is
 * that memory, and writes are the engine's at once. Otherwise (a GPU tensor, a sparse or non-contiguous one, an
 * engine that returns copies) the segment is a copy in a {@code float[]}, and {@link #close()} of a
 * {@linkplain #writable(NDArray) writable} view writes it back with {@link NDArray#set(float[])}.
 *
 * <p>A direct buffer is taken for the tensor's own memory only if asking twice gives the same address: where the
 * engine copies (PyTorch's non-contiguous tensors), each request makes a new copy, alive until its manager closes,
 * so two requests cannot share an address.
 */
public final class TensorMemory implements AutoCloseable {

    private final NDArray array;
    private final MemorySegment segment;
    private final float[] copy;
    private final boolean writeBack;

    private TensorMemory(NDArray array, MemorySegment segment, float[] copy, boolean writeBack) {
        this.array = array;
        this.segment = segment;
        this.copy = copy;
        this.writeBack = writeBack;
    }

    /** A view to read: the segment is read-only. */
    public static TensorMemory readOnly(NDArray array) {
        return open(array, false);
    }

    /** A view to update in place: a copy, when one is needed, is written back by {@link #close()}. */
    public static TensorMemory writable(NDArray array) {
        return open(array, true);
    }

    private static TensorMemory open(NDArray array, boolean writable) {
        Objects.requireNonNull(array, "array");
        if (array.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("array has data type " + array.getDataType()
                    + "; simdreg's kernels take float32");
        }
        MemorySegment own = ownMemory(array);
        if (own != null) {
            return new TensorMemory(array, writable ? own : own.asReadOnly(), null, false);
        }
        float[] copy = array.toFloatArray();
        MemorySegment segment = MemorySegment.ofArray(copy);
        return new TensorMemory(array, writable ? segment : segment.asReadOnly(), copy, writable);
    }

    /** The tensor's own memory as a segment, or null where the engine gives only copies. */
    private static MemorySegment ownMemory(NDArray array) {
        if (!Device.cpu().equals(array.getDevice()) || array.isSparse()) {
            return null;
        }
        ByteBuffer first = array.toByteBuffer(true);
        if (!first.isDirect()) {
            return null;
        }
        MemorySegment segment = MemorySegment.ofBuffer(first);
        if (segment.byteSize() != array.size() * Float.BYTES
                || MemorySegment.ofBuffer(array.toByteBuffer(true)).address() != segment.address()) {
            return null;
        }
        return segment;
    }

    /** The elements, in the array's row-major order. */
    public MemorySegment segment() {
        return segment;
    }

    /** Whether {@link #segment()} is the tensor's own memory rather than a copy. */
    public boolean isZeroCopy() {
        return copy == null;
    }

    /** Writes a copy back into the array, for a writable view; a zero-copy view has nothing to do. */
    @Override
    public void close() {
        if (writeBack) {
            array.set(copy);
        }
    }
}
