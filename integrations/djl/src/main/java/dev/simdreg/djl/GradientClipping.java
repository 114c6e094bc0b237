package dev.simdreg.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.simdreg.Projections;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Clipping of all gradients by their global norm before each step, PyTorch's {@code clip_grad_norm_}
 * ({@link Projections#clipGradNorm}): a listener, as DJL calls {@code onTrainingBatch} after the backward
 * pass and before {@code Trainer.step()}. DJL itself clips only element by element ({@code optClipGrad}).
 * Works with any optimizer.
 */
public final class GradientClipping extends TrainingListenerAdapter {

    private final float maxNorm;
    private final boolean errorIfNonfinite;
    private volatile float lastNorm = Float.NaN;

    private GradientClipping(float maxNorm, boolean errorIfNonfinite) {
        if (!(maxNorm > 0) || Float.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm = " + maxNorm + " must be > 0 and finite");
        }
        this.maxNorm = maxNorm;
        this.errorIfNonfinite = errorIfNonfinite;
    }

    /** Scales the gradients by {@code maxNorm / (norm + 1e-6)} when that is below 1, as PyTorch. */
    public static GradientClipping byGlobalNorm(float maxNorm) {
        return new GradientClipping(maxNorm, false);
    }

    /** As {@link #byGlobalNorm(float)}, but a NaN or infinite norm throws before any gradient changes. */
    public static GradientClipping byGlobalNormRejectingNonfinite(float maxNorm) {
        return new GradientClipping(maxNorm, true);
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        List<NDArray> gradients = new ArrayList<>();
        List<TensorMemory> views = new ArrayList<>();
        try {
            for (Parameter parameter : trainer.getModel().getBlock().getParameters().values()) {
                if (parameter.requiresGradient() && parameter.getArray().hasGradient()) {
                    NDArray gradient = parameter.getArray().getGradient();
                    gradients.add(gradient);
                    views.add(TensorMemory.writable(gradient));
                }
            }
            MemorySegment[] segments = new MemorySegment[views.size()];
            for (int i = 0; i < segments.length; i++) {
                segments[i] = views.get(i).segment();
            }
            lastNorm = Projections.clipGradNorm(segments, maxNorm, errorIfNonfinite);
        } finally {
            views.forEach(TensorMemory::close);
            gradients.forEach(NDArray::close);
        }
    }

    /** The global norm of the last batch's gradients, before clipping; NaN before the first batch. */
    public float lastNorm() {
        return lastNorm;
    }
}
