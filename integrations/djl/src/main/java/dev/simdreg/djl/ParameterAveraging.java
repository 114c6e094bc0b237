package dev.simdreg.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.simdreg.Averaging;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Averages of the parameters over the steps (Polyak and Juditsky 1992), kept off-heap: the linear average of
 * every iterate since the first step ({@link Averaging#linearAverage}), or an exponential moving average
 * ({@link Averaging#exponentialAverage}) started from the first iterate. Iterate t is the parameter right
 * after step t, as PyTorch's {@code AveragedModel.update_parameters} after {@code optimizer.step()}.
 *
 * <p>Training goes on with the raw weights; to evaluate with the averages, swap them in and back:
 * <pre>{@code
 * try (ParameterAveraging.Swap swap = averaging.swapIn(model.getBlock())) {
 *     EasyTrain.evaluateDataset(trainer, validation);
 * }
 * }</pre>
 */
public final class ParameterAveraging implements AfterStep {

    private final double alpha;
    private final Map<String, Average> averages = new ConcurrentHashMap<>();

    private record Average(MemorySegment values, long[] count) {
    }

    private ParameterAveraging(double alpha) {
        this.alpha = alpha;
    }

    /** The linear (Polyak) average of all iterates. */
    public static ParameterAveraging linear() {
        return new ParameterAveraging(Double.NaN);
    }

    /**
     * The exponential average {@code avg ← α·avg + (1 − α)·θ}, starting from the first iterate.
     *
     * @param alpha the weight of the old average, in [0, 1)
     */
    public static ParameterAveraging exponential(double alpha) {
        if (!(alpha >= 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha = " + alpha + " must be in [0, 1)");
        }
        return new ParameterAveraging(alpha);
    }

    @Override
    public void afterStep(String parameterId, Shape shape, MemorySegment weight) {
        Average average = averages.computeIfAbsent(parameterId,
                id -> new Average(Arena.ofAuto().allocate(weight.byteSize(), 64), new long[1]));
        long t = ++average.count()[0];
        if (Double.isNaN(alpha)) {
            Averaging.linearAverage(average.values(), weight, t);
        } else if (t == 1) {
            MemorySegment.copy(weight, 0, average.values(), 0, weight.byteSize());
        } else {
            Averaging.exponentialAverage(average.values(), weight, (float) alpha);
        }
    }

    /** The average of a parameter, read-only, or null before its first step. */
    public MemorySegment average(String parameterId) {
        Average average = averages.get(parameterId);
        return average == null ? null : average.values().asReadOnly();
    }

    /** The number of iterates in a parameter's average. */
    public long iterates(String parameterId) {
        Average average = averages.get(parameterId);
        return average == null ? 0 : average.count()[0];
    }

    /**
     * Puts the averages into the block's parameters (those that have one) until {@link Swap#close()} puts the
     * training weights back. Steps must not run in between.
     */
    public Swap swapIn(Block block) {
        List<Parameter> swapped = new ArrayList<>();
        List<MemorySegment> saved = new ArrayList<>();
        for (Parameter parameter : block.getParameters().values()) {
            Average average = averages.get(parameter.getId());
            if (average == null) {
                continue;
            }
            try (TensorMemory weight = TensorMemory.writable(parameter.getArray())) {
                saved.add(Arena.ofAuto().allocate(weight.segment().byteSize(), 64).copyFrom(weight.segment()));
                weight.segment().copyFrom(average.values());
            }
            swapped.add(parameter);
        }
        return new Swap(swapped, saved);
    }

    /** Averaged weights in place of the training weights, until closed. */
    public static final class Swap implements AutoCloseable {

        private final List<Parameter> parameters;
        private final List<MemorySegment> saved;
        private boolean closed;

        private Swap(List<Parameter> parameters, List<MemorySegment> saved) {
            this.parameters = parameters;
            this.saved = saved;
        }

        /** The number of parameters that hold their average. */
        public int parameters() {
            return parameters.size();
        }

        /** Puts the training weights back; a second call does nothing. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < parameters.size(); i++) {
                try (TensorMemory weight = TensorMemory.writable(parameters.get(i).getArray())) {
                    weight.segment().copyFrom(saved.get(i));
                }
            }
        }
    }
}
