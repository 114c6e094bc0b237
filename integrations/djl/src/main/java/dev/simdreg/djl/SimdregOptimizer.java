package dev.simdreg.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.training.tracker.Tracker;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DJL {@link Optimizer} whose step is one of simdreg's fused kernels, on the parameter's and the gradient's
 * own memory ({@link TensorMemory}), with its state (moments, momentum buffers) off-heap in simdreg's hands.
 *
 * <p>As DJL's own optimizers it honours the builder's learning-rate tracker, weight decay, gradient rescaling and
 * element clipping (on the gradient it is given, which DJL's parameter server makes a copy of), counts steps with
 * {@link #updateCount(String)}, and leaves the weight's own gradient zeroed for the next batch. After the step it
 * runs its {@link AfterStep} hooks. State is kept per parameter and device, in
 * automatically managed off-heap memory freed with the optimizer.
 */
public abstract class SimdregOptimizer extends Optimizer {

    private final ParameterTracker learningRateTracker;
    private final List<AfterStep> afterSteps;
    private final Map<String, MemorySegment[]> states = new ConcurrentHashMap<>();

    protected SimdregOptimizer(Builder<?> builder) {
        super(builder);
        if (!(rescaleGrad > 0) || Float.isInfinite(rescaleGrad)) {
            throw new IllegalArgumentException("rescaleGrad = " + rescaleGrad + " must be > 0 and finite");
        }
        this.learningRateTracker = builder.learningRateTracker;
        this.afterSteps = List.copyOf(builder.afterSteps);
    }

    @Override
    public final void update(String parameterId, NDArray weight, NDArray grad) {
        int step = updateCount(parameterId);
        double learningRate = learningRateTracker.getNewValue(parameterId, step);
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("the learning-rate tracker gave " + learningRate + " for "
                    + parameterId + " at step " + step + "; it must be >= 0 and finite");
        }
        boolean preprocess = rescaleGrad != 1f || clipGrad >= 0;
        try (TensorMemory w = TensorMemory.writable(weight);
             TensorMemory g = preprocess ? TensorMemory.writable(grad) : TensorMemory.readOnly(grad)) {
            MemorySegment gradient = g.segment();
            if (preprocess) {
                rescaleAndClip(gradient);
            }
            String key = parameterId + '@' + weight.getDevice();
            boolean first = !states.containsKey(key);
            MemorySegment[] state = states.computeIfAbsent(key, k -> newState(w.segment().byteSize()));
            step(step, first, learningRate, w.segment(), gradient, state);
            if (!afterSteps.isEmpty()) {
                Shape shape = weight.getShape();
                for (AfterStep afterStep : afterSteps) {
                    afterStep.afterStep(parameterId, shape, w.segment());
                }
            }
        }
        zeroOwnGradient(weight);
    }

    /**
     * Zeroes the gradient the engine accumulates into for this weight, as DJL's optimizers do after a step: the
     * {@code grad} DJL's parameter server passes to {@code update} is a copy of it (summed over devices).
     */
    private static void zeroOwnGradient(NDArray weight) {
        if (weight.hasGradient()) {
            try (NDArray own = weight.getGradient(); TensorMemory memory = TensorMemory.writable(own)) {
                memory.segment().fill((byte) 0);
            }
        }
    }

    /**
     * One step of the kernel.
     *
     * @param step         DJL's update count (1-based)
     * @param first        whether this is the first step of this parameter's state
     * @param learningRate the tracker's value for this step
     * @param state        this parameter's state buffers, zeros before its first step
     */
    protected abstract void step(int step, boolean first, double learningRate, MemorySegment weight,
                                 MemorySegment gradient, MemorySegment[] state);

    /** The number of state buffers, each the size of the parameter. */
    protected abstract int stateBuffers();

    private MemorySegment[] newState(long bytes) {
        MemorySegment[] state = new MemorySegment[stateBuffers()];
        for (int i = 0; i < state.length; i++) {
            state[i] = Arena.ofAuto().allocate(bytes, 64);
        }
        return state;
    }

    /** DJL's {@code rescaleGrad} and {@code clipGrad}, applied in place to the gradient passed to the step. */
    private void rescaleAndClip(MemorySegment gradient) {
        boolean rescale = rescaleGrad != 1f;
        boolean clip = clipGrad >= 0;
        long n = gradient.byteSize() / Float.BYTES;
        for (long i = 0; i < n; i++) {
            float g = gradient.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            if (rescale) {
                g *= rescaleGrad;
            }
            if (clip) {
                g = Math.max(-clipGrad, Math.min(clipGrad, g));
            }
            gradient.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, g);
        }
    }

    /** The settings every simdreg optimizer shares. */
    public abstract static class Builder<T extends Builder<T>> extends OptimizerBuilder<T> {

        private ParameterTracker learningRateTracker;
        private final List<AfterStep> afterSteps = new ArrayList<>();

        protected Builder(float defaultLearningRate) {
            learningRateTracker = Tracker.fixed(defaultLearningRate);
        }

        /** The learning rate per parameter and step; DJL's trackers (fixed, factor, warm-up, cosine, ...). */
        public T optLearningRateTracker(ParameterTracker learningRateTracker) {
            this.learningRateTracker = Objects.requireNonNull(learningRateTracker, "learningRateTracker");
            return self();
        }

        /** Work to run on each parameter right after its step, in the order added. */
        public T addAfterStep(AfterStep afterStep) {
            afterSteps.add(Objects.requireNonNull(afterStep, "afterStep"));
            return self();
        }
    }
}
