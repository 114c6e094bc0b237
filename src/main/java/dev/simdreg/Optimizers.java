package dev.simdreg;

import dev.simdreg.internal.Check;
import dev.simdreg.internal.Chunks;
import dev.simdreg.internal.OptimizerKernels;
import dev.simdreg.internal.Parallel;
import dev.simdreg.internal.Providers;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Fused parameter updates with weight decay: SGD (with momentum, dampening, Nesterov) and AdamW. Each
 * call reads every buffer once and writes each updated buffer once.
 *
 * <p>State (momentum buffer, moments) belongs to the caller; a step updates it in place. All buffers of
 * one call have the same length and must not overlap. Arguments are checked before anything is
 * written. Results follow PyTorch's operation order; each element is computed with fused multiply-adds,
 * identically on the vector and the scalar provider. The scalars a step derives from its hyperparameters are
 * computed in double and rounded to float once, as PyTorch computes them in Python.
 */
public final class Optimizers {

    private Optimizers() {
    }

    private static OptimizerKernels kernels() {
        return Providers.kernels().optimizers();
    }

    /**
     * One SGD step, PyTorch's {@code torch.optim.SGD}: {@code d = g + μ·w}; with momentum β,
     * {@code buf = d} on step 1 (buf's previous content is not read) and {@code buf = β·buf + (1 − dampening)·d}
     * after; Nesterov uses {@code d + β·buf}, otherwise {@code buf}; then {@code w ← w − η·(that)}.
     * Without momentum this is the lecture's {@code w ← (1 − η·μ)·w − η·g} and momentumBuffer may be null.
     * Checked against PyTorch 1.13 (Debian's python3-torch): weights and buffer the same bits after three
     * steps with momentum 0.9, dampening 0.1 and weight decay 1e-4.
     *
     * @param sgd            the settings
     * @param step           the 1-based step number t; step 1 initializes the momentum buffer
     * @param w              the weights, updated in place
     * @param grad           the gradient
     * @param momentumBuffer the momentum buffer, updated in place; required when momentum > 0, else ignored
     */
    public static void sgd(Sgd sgd, long step, float[] w, float[] grad, float[] momentumBuffer) {
        sgd(sgd, step, Check.array(w, "w"), Check.array(grad, "grad"),
                momentumBuffer == null ? null : MemorySegment.ofArray(momentumBuffer));
    }

    /** One SGD step on segments; see {@link #sgd(Sgd, long, float[], float[], float[])}. */
    public static void sgd(Sgd sgd, long step, MemorySegment w, MemorySegment grad, MemorySegment momentumBuffer) {
        Objects.requireNonNull(sgd, "sgd");
        Check.step(step, "step");
        long n = Check.output(w, "w");
        Check.sameSize("w", n, "grad", Check.floats(grad, "grad"));
        Check.disjoint(w, "w", grad, "grad");
        if (sgd.momentum() == 0) {
            float learningRate = (float) sgd.learningRate();
            float weightDecay = (float) sgd.weightDecay();
            Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(w, grad),
                    (origin, from, length) -> kernels().sgd(Chunks.at(w, origin), Chunks.at(grad, origin), from,
                            length, learningRate, weightDecay));
            return;
        }
        Objects.requireNonNull(momentumBuffer, "momentumBuffer (required when momentum > 0)");
        Check.sameSize("w", n, "momentumBuffer", Check.output(momentumBuffer, "momentumBuffer"));
        Check.disjoint(w, "w", momentumBuffer, "momentumBuffer");
        Check.disjoint(grad, "grad", momentumBuffer, "momentumBuffer");
        Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART,
                Parallel.shared(w, grad, momentumBuffer, null), (origin, from, length) -> kernels().sgdMomentum(
                        Chunks.at(w, origin), Chunks.at(grad, origin), Chunks.at(momentumBuffer, origin), from, length,
                        (float) sgd.learningRate(), (float) sgd.weightDecay(), (float) sgd.momentum(),
                        (float) (1 - sgd.dampening()), sgd.nesterov(), step == 1));
    }

    /**
     * One AdamW step, PyTorch's {@code torch.optim.AdamW}: {@code w ← w·(1 − η·μ)};
     * {@code m ← β1·m + (1 − β1)·g}; {@code v ← β2·v + (1 − β2)·g²};
     * {@code w ← w − η/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)}. The bias corrections are computed in
     * double once per call. Checked against PyTorch 1.13 (Debian's python3-torch) with its defaults over three
     * steps: v the same bits; m is one fused multiply-add, as PyTorch 2's {@code lerp_}, within 64 ulp of
     * 1.13's two roundings; w within 2 ulp, {@code √v} being multiplied by {@code 1/√(1 − β2^t)} where PyTorch
     * divides.
     *
     * @param adamW the settings
     * @param step  the 1-based step number t, counting this step
     * @param w     the weights, updated in place
     * @param grad  the gradient
     * @param m     the first moment, updated in place (zeros before step 1)
     * @param v     the second moment, updated in place (zeros before step 1)
     */
    public static void adamW(AdamW adamW, long step, float[] w, float[] grad, float[] m, float[] v) {
        adamW(adamW, step, Check.array(w, "w"), Check.array(grad, "grad"), Check.array(m, "m"), Check.array(v, "v"));
    }

    /** One AdamW step on segments; see {@link #adamW(AdamW, long, float[], float[], float[], float[])}. */
    public static void adamW(AdamW adamW, long step, MemorySegment w, MemorySegment grad, MemorySegment m,
                             MemorySegment v) {
        Objects.requireNonNull(adamW, "adamW");
        Check.step(step, "step");
        long n = Check.output(w, "w");
        Check.sameSize("w", n, "grad", Check.floats(grad, "grad"));
        Check.sameSize("w", n, "m", Check.output(m, "m"));
        Check.sameSize("w", n, "v", Check.output(v, "v"));
        Check.disjoint(w, "w", grad, "grad");
        Check.disjoint(w, "w", m, "m");
        Check.disjoint(w, "w", v, "v");
        Check.disjoint(grad, "grad", m, "m");
        Check.disjoint(grad, "grad", v, "v");
        Check.disjoint(m, "m", v, "v");
        double lr = adamW.learningRate();
        double bias1 = 1 - Math.pow(adamW.beta1(), step);
        double bias2 = 1 - Math.pow(adamW.beta2(), step);
        var scalars = new OptimizerKernels.AdamWStep((float) (1 - lr * adamW.weightDecay()),
                (float) (1 - adamW.beta1()), (float) adamW.beta2(), (float) (1 - adamW.beta2()), (float) (lr / bias1),
                (float) (1 / Math.sqrt(bias2)), (float) adamW.eps());
        Parallel.runChunks(n, Parallel.LINE, Parallel.ELEMENTWISE_PART, Parallel.shared(w, grad, m, v),
                (origin, from, length) -> kernels().adamW(Chunks.at(w, origin), Chunks.at(grad, origin),
                        Chunks.at(m, origin), Chunks.at(v, origin), from, length, scalars));
    }
}
