package dev.simdreg.djl.example;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.listener.EarlyStoppingListener.EarlyStoppedException;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListener.BatchData;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.simdreg.EarlyStopping;
import dev.simdreg.Simdreg;
import dev.simdreg.djl.EarlyStoppingWithRestore;
import dev.simdreg.djl.GradientClipping;
import dev.simdreg.djl.MaxNorm;
import dev.simdreg.djl.ParameterAveraging;
import dev.simdreg.djl.SimdregAdamW;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST with a DJL MLP (784 → 512 → 256 → 10, ReLU) three ways: DJL's own AdamW; simdreg's AdamW; and
 * simdreg's AdamW with the lecture's regularizers (decoupled weight decay, per-unit max-norm, clipping by global
 * norm, Polyak averaging for validation, early stopping with restore-best). Per epoch it prints the training and
 * validation accuracy and the time per step spent in {@code Trainer.step()} (DJL's copy of each gradient and the
 * optimizer); at the end, each run's test accuracy and its mean step time from the second epoch on against DJL's.
 *
 * <p>The data is Debian's {@code dataset-fashion-mnist} package ({@code apt-get install dataset-fashion-mnist}),
 * read from {@code /usr/share/datasets/fashion-mnist} or the directory given as the second argument. Run from
 * {@code integrations/djl}: {@code ../../mvnw -q test-compile exec:exec -Dexample.epochs=10}.
 */
public final class FashionMnistTraining {

    private static final Path DEBIAN_DATA = Path.of("/usr/share/datasets/fashion-mnist");
    private static final int PIXELS = 28 * 28;
    private static final int VALIDATION = 5000;
    private static final int BATCH = 128;

    private record Data(NDArray images, NDArray labels) {
        long size() {
            return labels.size();
        }
    }

    private record Result(String name, double testAccuracy, double stepMicros) {
    }

    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path dir = args.length > 1 ? Path.of(args[1]) : DEBIAN_DATA;
        if (epochs < 2) {
            throw new IllegalArgumentException("epochs = " + epochs + ": at least 2, as step times count from the second");
        }
        if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))) {
            System.err.println("Fashion-MNIST is not installed: run `sudo apt-get install dataset-fashion-mnist`"
                    + " (Debian, Ubuntu), or give the directory of its four idx .gz files as the second argument"
                    + " (looked in " + dir + ").");
            System.exit(1);
        }
        System.out.println("DJL " + Engine.getDjlVersion() + ", " + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + "; simdreg " + Simdreg.provider() + "; " + epochs + " epochs");
        try (NDManager manager = NDManager.newBaseManager()) {
            Data train = read(manager, dir, "train");
            Data test = read(manager, dir, "t10k");
            Data fit = slice(train, VALIDATION, train.size());
            Data validation = slice(train, 0, VALIDATION);
            List<Result> results = new ArrayList<>();
            results.add(run("DJL AdamW", epochs, fit, validation, test,
                    () -> Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).build(), null, null, null));
            results.add(run("simdreg AdamW", epochs, fit, validation, test,
                    () -> SimdregAdamW.builder().optLearningRateTracker(Tracker.fixed(1e-3f)).build(), null, null,
                    null));
            ParameterAveraging averaging = ParameterAveraging.linear();
            MaxNorm maxNorm = MaxNorm.of(3f);
            results.add(run("simdreg AdamW + regularizers", epochs, fit, validation, test,
                    () -> SimdregAdamW.builder().optLearningRateTracker(Tracker.fixed(1e-3f)).optWeightDecays(0.05f)
                            .addAfterStep(maxNorm).addAfterStep(averaging).build(),
                    GradientClipping.byGlobalNorm(5f), averaging, 3));
            System.out.printf("%nmax-norm scaled %d rows over the run%n", maxNorm.rowsScaled());
            double djlStep = results.get(0).stepMicros();
            for (Result result : results) {
                System.out.printf("%-30s test accuracy %.4f, optimizer %.0f µs per step (%.2f× DJL's)%n",
                        result.name(), result.testAccuracy(), result.stepMicros(), djlStep / result.stepMicros());
            }
        }
    }

    /**
     * Trains one model. With {@code averaging}, validation uses the averaged weights; with {@code patience},
     * early stopping on the validation accuracy restores the best epoch's weights.
     */
    private static Result run(String name, int epochs, Data fit, Data validation, Data test,
                              Supplier<Optimizer> optimizer, GradientClipping clipping, ParameterAveraging averaging,
                              Integer patience) {
        System.out.printf("%n%s%n", name);
        double[] validationAccuracy = {0};
        List<TrainingListener> listeners = new ArrayList<>();
        if (clipping != null) {
            listeners.add(clipping);
        }
        EarlyStoppingWithRestore stopping = patience == null ? null
                : EarlyStoppingWithRestore.on(EarlyStopping.Mode.MAX, patience, 0, t -> validationAccuracy[0]);
        if (stopping != null) {
            listeners.add(stopping);
        }
        try (Model model = Model.newInstance(name)) {
            model.setBlock(new SequentialBlock()
                    .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(256).build()).add(Activation::relu)
                    .add(Linear.builder().setUnits(10).build()));
            Engine.getInstance().setRandomSeed(1234);
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer.get()).addTrainingListeners(listeners.toArray(TrainingListener[]::new)))) {
                trainer.initialize(new Shape(BATCH, PIXELS));
                SplittableRandom random = new SplittableRandom(99);
                long stepNanos = 0;
                long steps = 0;
                try {
                    for (int epoch = 1; epoch <= epochs; epoch++) {
                        long correct = 0;
                        long epochNanos = 0;
                        int[] order = permutation((int) fit.size(), random);
                        for (int from = 0; from + BATCH <= order.length; from += BATCH) {
                            correct += trainBatch(trainer, fit, order, from);
                            long start = System.nanoTime();
                            trainer.step();
                            epochNanos += System.nanoTime() - start;
                        }
                        if (epoch > 1) { // the first epoch's steps include the JIT's warm-up
                            stepNanos += epochNanos;
                            steps += order.length / BATCH;
                        }
                        double trainAccuracy = (double) correct / (order.length / BATCH * BATCH);
                        if (averaging != null) {
                            try (ParameterAveraging.Swap swap = averaging.swapIn(model.getBlock())) {
                                validationAccuracy[0] = accuracy(trainer, validation);
                            }
                        } else {
                            validationAccuracy[0] = accuracy(trainer, validation);
                        }
                        System.out.printf("  epoch %2d: training accuracy %.4f, validation %.4f%s, optimizer %.0f µs"
                                        + " per step%n", epoch, trainAccuracy, validationAccuracy[0],
                                averaging != null ? " (averaged weights)" : "", epochNanos / 1e3 / (order.length / BATCH));
                        trainer.notifyListeners(listener -> listener.onEpoch(trainer));
                    }
                } catch (EarlyStoppedException e) {
                    System.out.println("  stopped: " + e.getMessage());
                }
                if (averaging != null && stopping == null) {
                    try (ParameterAveraging.Swap swap = averaging.swapIn(model.getBlock())) {
                        return new Result(name, accuracy(trainer, test), stepNanos / 1e3 / steps);
                    }
                }
                if (stopping != null) {
                    stopping.onTrainingEnd(trainer);
                    stopping.close();
                }
                return new Result(name, accuracy(trainer, test), stepNanos / 1e3 / steps);
            }
        }
    }

    /** Forward, loss, backward and the listeners on one batch; returns how many it classified right. */
    private static long trainBatch(Trainer trainer, Data data, int[] order, int from) {
        try (NDManager batchManager = trainer.getManager().newSubManager()) {
            NDArray indices = batchManager.create(java.util.Arrays.copyOfRange(order, from, from + BATCH));
            NDArray x = data.images().get(indices);
            NDArray y = data.labels().get(indices);
            x.attach(batchManager);
            y.attach(batchManager);
            long correct;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList predictions = trainer.forward(new NDList(x));
                collector.backward(trainer.getLoss().evaluate(new NDList(y), predictions));
                correct = predictions.singletonOrThrow().argMax(1).toType(DataType.FLOAT32, false).eq(y).sum()
                        .getLong();
            }
            BatchData batchData = new BatchData(null, null, null);
            trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, batchData));
            return correct;
        }
    }

    private static double accuracy(Trainer trainer, Data data) {
        long correct = 0;
        for (long from = 0; from < data.size(); from += 1000) {
            long to = Math.min(data.size(), from + 1000);
            try (NDManager batchManager = trainer.getManager().newSubManager()) {
                NDArray x = data.images().get(from + ":" + to);
                NDArray y = data.labels().get(from + ":" + to);
                x.attach(batchManager);
                y.attach(batchManager);
                NDArray predictions = trainer.evaluate(new NDList(x)).singletonOrThrow();
                correct += predictions.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
            }
        }
        return (double) correct / data.size();
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static Data slice(Data data, long from, long to) {
        return new Data(data.images().get(from + ":" + to), data.labels().get(from + ":" + to));
    }

    /** Reads the IDX files {@code <prefix>-images-idx3-ubyte.gz} and {@code <prefix>-labels-idx1-ubyte.gz}. */
    private static Data read(NDManager manager, Path dir, String prefix) throws IOException {
        byte[] images = idx(dir.resolve(prefix + "-images-idx3-ubyte.gz"), 2051, 16);
        byte[] labels = idx(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), 2049, 8);
        int n = labels.length;
        float[] pixels = new float[n * PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (images[i] & 0xff) / 255f;
        }
        float[] classes = new float[n];
        for (int i = 0; i < n; i++) {
            classes[i] = labels[i];
        }
        return new Data(manager.create(pixels, new Shape(n, PIXELS)), manager.create(classes, new Shape(n)));
    }

    private static byte[] idx(Path file, int magic, int header) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
             DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != magic) {
                throw new IOException(file + " is not an IDX file of the expected kind (magic " + magic + ")");
            }
            data.skipNBytes(header - 4);
            return data.readAllBytes();
        }
    }
}
