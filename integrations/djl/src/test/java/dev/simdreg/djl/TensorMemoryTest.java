package dev.simdreg.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.simdreg.Penalties;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which tensors simdreg reaches in place, and that its writes reach the engine either way. */
class TensorMemoryTest {

    @Test
    void aCpuTensorIsReachedInPlaceAndTheEngineSeesTheWrites() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = manager.arange(0f, 1000f).reshape(10, 100);
            try (TensorMemory memory = TensorMemory.writable(array)) {
                assertTrue(memory.isZeroCopy());
                assertEquals(1000L * Float.BYTES, memory.segment().byteSize());
                assertTrue(memory.segment().isNative());
                Penalties.softThreshold(memory.segment(), 990f, memory.segment());
            }
            // the engine's own reduction: only 991..999 are left, each less 990
            assertEquals(45f, array.sum().getFloat());
        }
    }

    @Test
    void parametersAndTheirGradientsAreReachedInPlace() {
        try (Mlp mlp = new Mlp(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build())) {
            mlp.forwardBackward(0);
            for (Parameter parameter : mlp.parameters()) {
                try (NDArray gradient = parameter.getArray().getGradient();
                     TensorMemory weights = TensorMemory.writable(parameter.getArray());
                     TensorMemory gradients = TensorMemory.writable(gradient)) {
                    assertTrue(weights.isZeroCopy(), parameter.getName());
                    assertTrue(gradients.isZeroCopy(), parameter.getName());
                    gradients.segment().setAtIndex(ValueLayout.JAVA_FLOAT, 0, 42f);
                }
                assertEquals(42f, parameter.getArray().getGradient().toFloatArray()[0]);
            }
        }
    }

    @Test
    void aNonContiguousViewIsCopiedAndWrittenBack() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray base = manager.arange(0f, 6f).reshape(2, 3);
            NDArray transposed = base.transpose();
            float[] before = transposed.toFloatArray();
            try (TensorMemory memory = TensorMemory.writable(transposed)) {
                assertFalse(memory.isZeroCopy());
                assertArrayEquals(before, memory.segment().toArray(ValueLayout.JAVA_FLOAT));
                memory.segment().setAtIndex(ValueLayout.JAVA_FLOAT, 1, -1f);
            }
            assertEquals(-1f, transposed.toFloatArray()[1]);
            try (TensorMemory memory = TensorMemory.readOnly(transposed)) {
                assertThrows(IllegalArgumentException.class,
                        () -> memory.segment().setAtIndex(ValueLayout.JAVA_FLOAT, 1, -2f));
            }
        }
    }

    @Test
    void otherDataTypesAreRefusedByName() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray doubles = manager.zeros(new Shape(4), DataType.FLOAT64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TensorMemory.writable(doubles));
            assertTrue(e.getMessage().contains("float64"), e.getMessage());
            assertThrows(NullPointerException.class, () -> TensorMemory.readOnly(null));
        }
    }
}
