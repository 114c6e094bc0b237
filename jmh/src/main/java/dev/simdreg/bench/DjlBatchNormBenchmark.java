package dev.simdreg.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.simdreg.BatchNorm;
import dev.simdreg.BatchNormOptions;
import dev.simdreg.BatchShape;
import dev.simdreg.djl.TensorMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Batch norm, training and inference forward with γ and β, NCHW, simdreg on DJL's tensors against libtorch
 * 2.7.1's {@code batch_norm} through DJL's {@code BatchNorm.batchNorm}, which returns a new tensor per call
 * (freed with a sub-manager). One thread each, as {@link DjlBenchmark}.
 */
@State(Scope.Benchmark)
@Fork(jvmArgsAppend = {"-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
        "-Dai.djl.pytorch.num_interop_threads=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DjlBatchNormBenchmark {

    @Param({"simdreg-djl", "djl"})
    public String impl;

    /** The main suite's NCHW shape, so that the report sets this beside its row. */
    @Param({BatchShapes.NCHW})
    public String shape;

    private NDManager manager;
    private BatchShape batch;
    private NDArray x;
    private NDArray y;
    private NDArray gamma;
    private NDArray beta;
    private NDArray runningMean;
    private NDArray runningVar;
    private MemorySegment savedMean;
    private MemorySegment savedInvStd;

    @Setup
    public void setup() {
        String[] dims = shape.substring(shape.indexOf(':') + 1).split("x");
        int n = Integer.parseInt(dims[0]);
        int c = Integer.parseInt(dims[1]);
        int h = Integer.parseInt(dims[2]);
        int w = Integer.parseInt(dims[3]);
        batch = BatchShape.channelsFirst(n, c, h * w);
        manager = NDManager.newBaseManager();
        x = manager.randomNormal(0.5f, 2f, new Shape(n, c, h, w), DataType.FLOAT32);
        y = manager.zeros(x.getShape());
        gamma = manager.randomUniform(0.5f, 1.5f, new Shape(c));
        beta = manager.randomUniform(-0.5f, 0.5f, new Shape(c));
        runningMean = manager.zeros(new Shape(c));
        runningVar = manager.ones(new Shape(c));
        savedMean = java.lang.foreign.Arena.ofAuto().allocate(4L * c, 64);
        savedInvStd = java.lang.foreign.Arena.ofAuto().allocate(4L * c, 64);
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public float trainingForward() {
        if (impl.equals("simdreg-djl")) {
            try (TensorMemory in = TensorMemory.readOnly(x); TensorMemory out = TensorMemory.writable(y);
                 TensorMemory g = TensorMemory.readOnly(gamma); TensorMemory b = TensorMemory.readOnly(beta);
                 TensorMemory mean = TensorMemory.writable(runningMean);
                 TensorMemory var = TensorMemory.writable(runningVar)) {
                BatchNorm.trainingForward(batch, in.segment(), out.segment(), g.segment(), b.segment(), savedMean,
                        savedInvStd, mean.segment(), var.segment(), BatchNormOptions.defaults());
                return out.segment().get(ValueLayout.JAVA_FLOAT, 0);
            }
        }
        return djl(true);
    }

    @Benchmark
    public float inferenceForward() {
        if (impl.equals("simdreg-djl")) {
            try (TensorMemory in = TensorMemory.readOnly(x); TensorMemory out = TensorMemory.writable(y);
                 TensorMemory g = TensorMemory.readOnly(gamma); TensorMemory b = TensorMemory.readOnly(beta);
                 TensorMemory mean = TensorMemory.readOnly(runningMean);
                 TensorMemory var = TensorMemory.readOnly(runningVar)) {
                BatchNorm.inferenceForward(batch, in.segment(), out.segment(), g.segment(), b.segment(),
                        mean.segment(), var.segment(), BatchNormOptions.defaults());
                return out.segment().get(ValueLayout.JAVA_FLOAT, 0);
            }
        }
        return djl(false);
    }

    private float djl(boolean training) {
        try (NDManager call = manager.newSubManager()) {
            NDList result = ai.djl.nn.norm.BatchNorm.batchNorm(x, runningMean, runningVar, gamma, beta, 1, 0.1f,
                    1e-5f, training);
            result.attach(call);
            return result.head().getFloat(0, 0, 0, 0);
        }
    }
}
