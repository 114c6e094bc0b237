package dev.simdreg.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.simdreg.Dropout.Scaling;
import dev.simdreg.Penalties;
import dev.simdreg.RandomStreams;
import dev.simdreg.djl.SimdregAdamW;
import dev.simdreg.djl.SimdregSgd;
import dev.simdreg.djl.TensorMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * simdreg inside DJL against libtorch 2.7.1 through DJL, in the same JVM: the update steps of
 * {@code dev.simdreg.djl}'s optimizers against DJL's own on a DJL parameter (its gradient defined, so both zero
 * it, as in training), and the ops that DJL's API reaches for simdreg's kernels: dropout, the L2 norm, uniform
 * and normal fills. simdreg works on the tensors' own memory ({@link TensorMemory}); DJL's dropout and fills
 * return new tensors, as its API has no in-place form, and each call's tensors are freed with a sub-manager.
 * At 64 bytes (16 floats) a call is all overhead: DJL's JNI and tensor bookkeeping against simdreg's checks.
 * Both run on one thread: the suite's {@code -Dsimdreg.threads=1}, and libtorch's intra-op pool set to one.
 */
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DjlBenchmark {

    /** {@code simdreg-djl}: simdreg's kernels on DJL's tensors; {@code djl}: DJL's own, libtorch 2.7.1. */
    @Param({"simdreg-djl", "djl"})
    public String impl;

    /** Bytes per array: 16 floats (overhead), 1M floats and 16M floats. */
    @Param({"64", "4194304", "67108864"})
    public long bytes;

    private NDManager manager;
    private NDArray weight;
    private NDArray grad;
    private NDArray x;
    private NDArray y;
    private MemorySegment mask;
    private Optimizer adamW;
    private Optimizer sgd;
    private long offset;

    @Setup
    public void setup() {
        boolean simdreg = impl.equals("simdreg-djl");
        if (!simdreg && !impl.equals("djl")) {
            throw new IllegalArgumentException("impl = " + impl);
        }
        if (!Engine.getInstance().getVersion().equals("2.7.1")) {
            throw new IllegalStateException("expected libtorch 2.7.1, got " + Engine.getInstance().getVersion());
        }
        manager = NDManager.newBaseManager();
        long n = bytes / Float.BYTES;
        Shape shape = new Shape(n);
        weight = manager.randomNormal(0, 1, shape, DataType.FLOAT32);
        weight.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(weight.mul(2).sum()); // defines weight's own gradient, which each step zeroes
        }
        grad = manager.randomNormal(0, 0.1f, shape, DataType.FLOAT32);
        x = manager.randomNormal(0, 1, shape, DataType.FLOAT32);
        y = manager.zeros(shape);
        mask = Arena.ofAuto().allocate((n + 63) / 64 * 8, 64);
        adamW = simdreg ? SimdregAdamW.builder().optLearningRateTracker(Tracker.fixed(1e-3f)).build()
                : Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        sgd = simdreg ? SimdregSgd.builder().optLearningRateTracker(Tracker.fixed(1e-3f)).optMomentum(0.9)
                .optWeightDecays(1e-4f).build()
                : Optimizer.sgd().setLearningRateTracker(Tracker.fixed(1e-3f)).optMomentum(0.9f)
                .optWeightDecays(1e-4f).build();
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    private boolean simdreg() {
        return impl.equals("simdreg-djl");
    }

    @Benchmark
    public void adamW() {
        adamW.update("w", weight, grad);
    }

    @Benchmark
    public void sgdMomentum() {
        sgd.update("w", weight, grad);
    }

    @Benchmark
    public float dropoutForward() {
        if (simdreg()) {
            try (TensorMemory in = TensorMemory.readOnly(x); TensorMemory out = TensorMemory.writable(y)) {
                dev.simdreg.Dropout.forward(11, offset, 0.5f, Scaling.INVERTED, in.segment(), out.segment(), mask);
                offset += x.size();
                return out.segment().get(ValueLayout.JAVA_FLOAT, 0);
            }
        }
        try (NDManager call = manager.newSubManager()) {
            NDList result = Dropout.dropout(x, 0.5f, true);
            result.attach(call);
            return result.head().getFloat(0);
        }
    }

    @Benchmark
    public float l2Norm() {
        if (simdreg()) {
            try (TensorMemory in = TensorMemory.readOnly(x)) {
                return Penalties.l2Norm(in.segment());
            }
        }
        try (NDArray norm = x.norm()) {
            return norm.getFloat();
        }
    }

    @Benchmark
    public float uniform() {
        return fill(false);
    }

    @Benchmark
    public float normal() {
        return fill(true);
    }

    /** A fresh stream's values into y (simdreg), or a new tensor of them (DJL, whose API has no in-place fill). */
    private float fill(boolean normal) {
        if (simdreg()) {
            try (TensorMemory out = TensorMemory.writable(y)) {
                if (normal) {
                    RandomStreams.normal(17, offset, out.segment());
                } else {
                    RandomStreams.uniform(13, offset, out.segment());
                }
                offset += y.size();
                return out.segment().get(ValueLayout.JAVA_FLOAT, 0);
            }
        }
        try (NDArray fill = normal ? manager.randomNormal(y.getShape()) : manager.randomUniform(0, 1, y.getShape())) {
            return fill.getFloat(0);
        }
    }
}
