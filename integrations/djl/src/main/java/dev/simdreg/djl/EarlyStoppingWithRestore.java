package dev.simdreg.djl;

import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingResult;
import ai.djl.training.listener.EarlyStoppingListener.EarlyStoppedException;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.simdreg.EarlyStopping;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Early stopping that keeps the best weights and puts them back (simdreg's {@link EarlyStopping}: an off-heap
 * copy of the parameters at each improvement). Once per epoch it ranks a score, by default the validation loss
 * (the training loss without validation), as DJL's {@code EarlyStoppingListener} reads it; after
 * {@code patience} epochs without an improvement of more than {@code minDelta} it restores the best weights
 * and stops training with DJL's {@link EarlyStoppedException}. When training ends without stopping, the best
 * weights are restored as well. DJL's own listener stops but keeps the last weights.
 *
 * <p>The parameters must be the engine's CPU memory ({@link TensorMemory#isZeroCopy()}), which the copies are
 * made from and restored into. {@link #close()} frees the copies.
 */
public final class EarlyStoppingWithRestore extends TrainingListenerAdapter implements AutoCloseable {

    private final EarlyStopping.Mode mode;
    private final int patience;
    private final double minDelta;
    private final ToDoubleFunction<Trainer> score;
    private EarlyStopping monitor;

    private EarlyStoppingWithRestore(EarlyStopping.Mode mode, int patience, double minDelta,
                                     ToDoubleFunction<Trainer> score) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.patience = patience;
        this.minDelta = minDelta;
        this.score = Objects.requireNonNull(score, "score");
        EarlyStopping.of(mode, patience, minDelta, new MemorySegment[0]).close(); // checks the settings now
    }

    /** Stops on the validation loss (the training loss without validation), lower being better. */
    public static EarlyStoppingWithRestore onLoss(int patience, double minDelta) {
        return new EarlyStoppingWithRestore(EarlyStopping.Mode.MIN, patience, minDelta,
                EarlyStoppingWithRestore::loss);
    }

    /** Stops on a score of the caller's, for example a validation accuracy with {@code Mode.MAX}. */
    public static EarlyStoppingWithRestore on(EarlyStopping.Mode mode, int patience, double minDelta,
                                              ToDoubleFunction<Trainer> score) {
        return new EarlyStoppingWithRestore(mode, patience, minDelta, score);
    }

    private static double loss(Trainer trainer) {
        TrainingResult result = trainer.getTrainingResult();
        Float loss = result.getValidateLoss() != null ? result.getValidateLoss() : result.getTrainLoss();
        if (loss == null) {
            throw new IllegalStateException("the trainer has no loss to rank: set its metrics (Trainer.setMetrics)"
                    + " and a training listener that records the loss, as TrainingListener.Defaults do");
        }
        return loss;
    }

    /** Watches the model's parameters from the first epoch on: DJL's trainer calls onTrainingBegin before it
     *  initializes them. */
    private EarlyStopping monitor(Trainer trainer) {
        if (monitor == null) {
            List<MemorySegment> parameters = new ArrayList<>();
            for (Parameter parameter : trainer.getModel().getBlock().getParameters().values()) {
                try (TensorMemory memory = TensorMemory.writable(parameter.getArray())) {
                    if (!memory.isZeroCopy()) {
                        throw new IllegalStateException("parameter " + parameter.getName() + " is not in the "
                                + "engine's CPU memory (device " + parameter.getArray().getDevice() + ")");
                    }
                    parameters.add(memory.segment());
                }
            }
            monitor = EarlyStopping.of(mode, patience, minDelta, parameters.toArray(MemorySegment[]::new));
        }
        return monitor;
    }

    @Override
    public void onEpoch(Trainer trainer) {
        EarlyStopping monitor = monitor(trainer);
        if (monitor.update(score.applyAsDouble(trainer))) {
            monitor.restoreBest();
            throw new EarlyStoppedException(monitor.epochs(), "no improvement in " + monitor.epochsWithoutImprovement()
                    + " epochs; restored the weights of epoch " + monitor.bestEpoch() + ", score "
                    + monitor.bestScore());
        }
    }

    @Override
    public void onTrainingEnd(Trainer trainer) {
        if (monitor != null && monitor.epochs() > 0) {
            monitor.restoreBest();
        }
    }

    /** The best score so far; NaN before the first epoch. */
    public double bestScore() {
        return monitor == null ? Double.NaN : monitor.bestScore();
    }

    /** The 1-based epoch of the best score; 0 before the first epoch. */
    public int bestEpoch() {
        return monitor == null ? 0 : monitor.bestEpoch();
    }

    @Override
    public void close() {
        if (monitor != null) {
            monitor.close();
            monitor = null;
        }
    }
}
