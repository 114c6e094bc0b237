package dev.simdreg.djl;

import ai.djl.ndarray.types.Shape;

import java.lang.foreign.MemorySegment;

/**
 * Work on a parameter right after a {@link SimdregOptimizer} has updated it, before the next forward pass:
 * {@link MaxNorm}, {@link ParameterAveraging}.
 *
 * <p>These are hooks of the optimizer rather than {@link ai.djl.training.listener.TrainingListener}s because
 * DJL calls {@code onTrainingBatch} after the backward pass and before {@code Trainer.step()}: a listener sees a
 * step's result only after the next batch's forward pass has used it.
 */
@FunctionalInterface
public interface AfterStep {

    /**
     * @param parameterId the parameter's id, as the optimizer received it
     * @param shape       the parameter's shape
     * @param weight      the updated weights, float32 in row-major order; writes go to the parameter
     */
    void afterStep(String parameterId, Shape shape, MemorySegment weight);
}
