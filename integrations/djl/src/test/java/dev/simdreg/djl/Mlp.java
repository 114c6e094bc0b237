package dev.simdreg.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small MLP (inputs → 64 ReLU → 10) on generated data: the labels are the arg-max of a fixed random linear
 * map of the inputs, so the loss falls as it trains. Every instance starts from the same weights and sees the
 * same batches, whatever its optimizer.
 */
final class Mlp implements AutoCloseable {

    static final int INPUTS = 32;
    static final int CLASSES = 10;
    static final int BATCH = 32;
    private static final int EXAMPLES = 512;

    final Model model;
    final Trainer trainer;
    private final NDArray x;
    private final NDArray labels;

    Mlp(Optimizer optimizer, TrainingListener... listeners) {
        model = Model.newInstance("mlp");
        model.setBlock(new SequentialBlock()
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(CLASSES).build()));
        trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(optimizer).addTrainingListeners(listeners));
        trainer.initialize(new Shape(BATCH, INPUTS));
        NDManager manager = trainer.getManager();
        SplittableRandom random = new SplittableRandom(7);
        for (Parameter parameter : parameters()) {
            float[] values = new float[Math.toIntExact(parameter.getArray().size())];
            float scale = (float) Math.sqrt(2.0 / Math.max(1, parameter.getShape().get(parameter.getShape().dimension() - 1)));
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
            }
            parameter.getArray().set(values);
        }
        float[] inputs = new float[EXAMPLES * INPUTS];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) (random.nextDouble() * 2 - 1);
        }
        float[] teacher = new float[INPUTS * CLASSES];
        for (int i = 0; i < teacher.length; i++) {
            teacher[i] = (float) (random.nextDouble() * 2 - 1);
        }
        float[] classes = new float[EXAMPLES];
        for (int e = 0; e < EXAMPLES; e++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double score = 0;
                for (int i = 0; i < INPUTS; i++) {
                    score += inputs[e * INPUTS + i] * teacher[i * CLASSES + c];
                }
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            classes[e] = best;
        }
        x = manager.create(inputs, new Shape(EXAMPLES, INPUTS));
        labels = manager.create(classes, new Shape(EXAMPLES));
    }

    List<Parameter> parameters() {
        return new ArrayList<>(model.getBlock().getParameters().values());
    }

    /** Forward and backward on batch number {@code step}; the trainer's listeners see it; no step. */
    float forwardBackward(int step) {
        int from = (step * BATCH) % EXAMPLES;
        NDArray batchX = x.get(from + ":" + (from + BATCH));
        NDArray batchY = labels.get(from + ":" + (from + BATCH));
        float loss;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList predictions = trainer.forward(new NDList(batchX));
            NDArray value = trainer.getLoss().evaluate(new NDList(batchY), predictions);
            loss = value.getFloat();
            collector.backward(value);
        }
        TrainingListener.BatchData data = new TrainingListener.BatchData(null, null, null);
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, data));
        return loss;
    }

    /** A whole training step: forward, backward, the listeners, the optimizer. */
    float train(int step) {
        float loss = forwardBackward(step);
        trainer.step();
        return loss;
    }

    /** The loss over all examples, without gradients. */
    float loss() {
        NDList predictions = trainer.evaluate(new NDList(x));
        return trainer.getLoss().evaluate(new NDList(labels), predictions).getFloat();
    }

    static float[] values(Parameter parameter) {
        return parameter.getArray().toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Override
    public void close() {
        trainer.close();
        model.close();
    }
}
