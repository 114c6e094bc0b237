package dev.simdreg;

import dev.simdreg.internal.Check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Early stopping (DL book 7.8, algorithm 7.1): a monitor that the training loop drives once per epoch
 * with a validation score. It keeps a copy of the parameters at the best score so far, in off-heap
 * buffers it owns, says when the score has not improved for {@code patience} epochs, and puts the best
 * parameters back on request.
 *
 * <p>The rules, as Keras' and PyTorch Lightning's callbacks have them:
 * <ul>
 * <li>The first score is the best so far. After it, a score improves when it is below the best by more
 *     than {@code minDelta} (mode {@link Mode#MIN}, for a loss) or above it by more than {@code minDelta}
 *     ({@link Mode#MAX}, for an accuracy). Scores within {@code minDelta} of the best do not count as
 *     improvements and do not move the best.</li>
 * <li>An improving epoch copies the parameters and resets the count of epochs without improvement;
 *     any other epoch adds one to it. {@link #shouldStop()} is true once that count reaches
 *     {@code patience} (with patience 0, at the first epoch that does not improve).</li>
 * <li>A NaN score is rejected with {@link IllegalArgumentException} and changes nothing: a diverged
 *     run is the caller's to handle (usually by stopping and restoring). Infinite scores are ordinary
 *     scores.</li>
 * </ul>
 *
 * <p>Deterministic, and allocation-free after construction. Not thread-safe: one training loop drives
 * it. {@link #close()} frees the copies.
 */
public final class EarlyStopping implements AutoCloseable {

    /** Whether a lower or a higher score is better. */
    public enum Mode {
        /** Lower is better: a loss or an error rate. */
        MIN,
        /** Higher is better: an accuracy. */
        MAX
    }

    private final Mode mode;
    private final int patience;
    private final double minDelta;
    private final MemorySegment[] parameters;
    private final MemorySegment[] best;
    private final Arena arena = Arena.ofShared();
    private double bestScore = Double.NaN;
    private int epochs;
    private int bestEpoch;
    private int epochsWithoutImprovement;

    private EarlyStopping(Mode mode, int patience, double minDelta, MemorySegment[] parameters) {
        this.mode = Objects.requireNonNull(mode, "mode");
        if (patience < 0) {
            throw new IllegalArgumentException("patience = " + patience + " must be >= 0");
        }
        if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
            throw new IllegalArgumentException("minDelta = " + minDelta + " must be >= 0 and finite");
        }
        this.patience = patience;
        this.minDelta = minDelta;
        this.parameters = parameters;
        this.best = new MemorySegment[parameters.length];
        for (int t = 0; t < parameters.length; t++) {
            best[t] = arena.allocate(parameters[t].byteSize(), 64);
        }
    }

    /**
     * A monitor of the parameters in the given arrays, which it reads at each improvement and writes on
     * {@link #restoreBest()}.
     *
     * @param patience epochs without improvement before {@link #shouldStop()}, {@code >= 0}
     * @param minDelta the margin an improvement must exceed, {@code >= 0} and finite
     */
    public static EarlyStopping of(Mode mode, int patience, double minDelta, float[]... parameters) {
        Objects.requireNonNull(parameters, "parameters");
        MemorySegment[] segments = new MemorySegment[parameters.length];
        for (int t = 0; t < parameters.length; t++) {
            segments[t] = Check.array(parameters[t], "parameters", t);
        }
        return new EarlyStopping(mode, patience, minDelta, segments);
    }

    /**
     * A monitor of parameters in segments of floats; see {@link #of(Mode, int, double, float[]...)}. The
     * segments must be writable, for {@link #restoreBest()}, and must stay alive as long as the monitor.
     */
    public static EarlyStopping of(Mode mode, int patience, double minDelta, MemorySegment... parameters) {
        Objects.requireNonNull(parameters, "parameters");
        MemorySegment[] segments = parameters.clone();
        for (int t = 0; t < segments.length; t++) {
            Check.output(segments[t], "parameters", t);
        }
        return new EarlyStopping(mode, patience, minDelta, segments);
    }

    /**
     * Records the score of the epoch just finished; on an improvement, copies the parameters.
     *
     * @return {@link #shouldStop()} after this epoch
     * @throws IllegalArgumentException for a NaN score, with nothing recorded
     * @throws IllegalStateException    after {@link #close()}
     */
    public boolean update(double score) {
        if (Double.isNaN(score)) {
            throw new IllegalArgumentException("score = NaN (epoch " + (epochs + 1) + "): a NaN score cannot be ranked");
        }
        checkOpen();
        epochs++;
        if (epochs == 1 || improves(score)) {
            bestScore = score;
            bestEpoch = epochs;
            epochsWithoutImprovement = 0;
            for (int t = 0; t < parameters.length; t++) {
                MemorySegment.copy(parameters[t], 0, best[t], 0, best[t].byteSize());
            }
        } else {
            epochsWithoutImprovement++;
        }
        return shouldStop();
    }

    private boolean improves(double score) {
        return mode == Mode.MIN ? score < bestScore - minDelta : score > bestScore + minDelta;
    }

    /** Whether the score has gone {@code patience} epochs without improving. */
    public boolean shouldStop() {
        return epochsWithoutImprovement >= Math.max(patience, 1);
    }

    /**
     * Writes the parameters of the best epoch back into the monitored arrays or segments.
     *
     * @throws IllegalStateException before the first {@link #update(double)} or after {@link #close()}
     */
    public void restoreBest() {
        checkOpen();
        if (epochs == 0) {
            throw new IllegalStateException("no epoch recorded yet: call update(score) first");
        }
        for (int t = 0; t < parameters.length; t++) {
            MemorySegment.copy(best[t], 0, parameters[t], 0, best[t].byteSize());
        }
    }

    /** The best score so far; NaN before the first epoch. */
    public double bestScore() {
        return bestScore;
    }

    /** The epoch (from 1) of the best score; 0 before the first. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Epochs recorded. */
    public int epochs() {
        return epochs;
    }

    /** Epochs since the best one. */
    public int epochsWithoutImprovement() {
        return epochsWithoutImprovement;
    }

    private void checkOpen() {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("this EarlyStopping is closed");
        }
    }

    /** Frees the copies of the best parameters. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
