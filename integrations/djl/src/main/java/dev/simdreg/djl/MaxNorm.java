package dev.simdreg.djl;

import ai.djl.ndarray.types.Shape;
import dev.simdreg.Projections;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Per-unit max-norm after each step (Srebro and Shraibman 2005; Hinton et al. 2012): the incoming weights of
 * each unit, a row of the weight matrix, are scaled back to {@code maxNorm} when the step took their norm past
 * it ({@link Projections#maxNormRows}). A DJL {@code Linear} weight {@code [out, in]} has a row per output unit;
 * a convolution's {@code [out, in, kh, kw]} a row per filter. Parameters of fewer than two dimensions (biases,
 * batch-norm scales) are left alone.
 */
public final class MaxNorm implements AfterStep {

    private final float maxNorm;
    private final Predicate<String> parameterIds;
    private final AtomicLong rowsScaled = new AtomicLong();

    private MaxNorm(float maxNorm, Predicate<String> parameterIds) {
        if (!(maxNorm > 0) || Float.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("maxNorm = " + maxNorm + " must be > 0 and finite");
        }
        this.maxNorm = maxNorm;
        this.parameterIds = Objects.requireNonNull(parameterIds, "parameterIds");
    }

    /** Max-norm on every weight of two or more dimensions. */
    public static MaxNorm of(float maxNorm) {
        return new MaxNorm(maxNorm, id -> true);
    }

    /** Max-norm on the weights of two or more dimensions whose id passes the filter. */
    public static MaxNorm of(float maxNorm, Predicate<String> parameterIds) {
        return new MaxNorm(maxNorm, parameterIds);
    }

    @Override
    public void afterStep(String parameterId, Shape shape, MemorySegment weight) {
        if (shape.dimension() < 2 || !parameterIds.test(parameterId)) {
            return;
        }
        long rows = shape.get(0);
        if (rows == 0) {
            return;
        }
        rowsScaled.addAndGet(Projections.maxNormRows(weight, rows, shape.size() / rows, maxNorm));
    }

    /** The number of rows scaled so far, over all parameters and steps. */
    public long rowsScaled() {
        return rowsScaled.get();
    }
}
