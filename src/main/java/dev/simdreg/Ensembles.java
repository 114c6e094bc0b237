package dev.simdreg;

import dev.simdreg.internal.Check;
import dev.simdreg.internal.Floats;
import dev.simdreg.internal.Parallel;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Ensembles (DL book 7.11, 7.12): bagging's bootstrap samples and the averaged predictions of K models,
 * and Monte Carlo dropout, whose K stochastic forward passes form an ensemble of subnetworks. Arguments
 * are checked before anything is written.
 */
public final class Ensembles {

    /**
     * Values per part of a split geometric mean, at least: a logarithm per value and member, 17 ns a value of two
     * members; 256 rows of 10 classes took 44.2 µs on one thread and 23.2 on two, 2048 rows 355 and 182
     * (harness).
     */
    private static final long GEOMETRIC_PART = 1 << 10;
    /** A row's logarithms, this thread's, grown to the most classes seen. */
    private static final ThreadLocal<double[]> LOGS = ThreadLocal.withInitial(() -> new double[0]);

    private Ensembles() {
    }

    /**
     * A bootstrap sample: N indices drawn uniformly with replacement from [0, N), N = out.length, without
     * modulo bias; element i is {@link RandomStreams#boundedInts} at stream element {@code offset + i}.
     */
    public static void bootstrapIndices(long seed, long offset, int[] out) {
        Objects.requireNonNull(out, "out");
        if (out.length > 0) {
            RandomStreams.boundedInts(seed, offset, out.length, out);
        }
    }

    /**
     * The arithmetic mean of K members' probability vectors (bagging): {@code out[i] = (1/K) Σ_k members[k][i]},
     * accumulated as a running mean (the K-th member with weight 1/K, rounded to float once per member):
     * relative error within about K·2^-23.
     *
     * @param members K ≥ 1 arrays of the same length, none of them out
     */
    public static void averageProbabilities(float[][] members, float[] out) {
        Objects.requireNonNull(members, "members");
        MemorySegment[] segments = new MemorySegment[members.length];
        for (int k = 0; k < members.length; k++) {
            segments[k] = Check.array(members[k], "members", k);
        }
        averageProbabilities(segments, Check.array(out, "out"));
    }

    /** The mean of K members on segments; see {@link #averageProbabilities(float[][], float[])}. */
    public static void averageProbabilities(MemorySegment[] members, MemorySegment out) {
        long n = checkMembers(members, out);
        for (MemorySegment member : members) {
            Check.disjoint(out, "out", member, "a member");
        }
        for (int k = 0; k < members.length; k++) {
            Averaging.linearAverage(out, members[k], k + 1);
        }
    }

    /**
     * Monte Carlo dropout: adds the k-th stochastic prediction to the running mean of the first k − 1,
     * {@code mean ← mean + (prediction − mean)/k}; k = 1 copies it. The same as
     * {@link Averaging#linearAverage(float[], float[], long)}.
     */
    public static void addPrediction(float[] mean, float[] prediction, long k) {
        addPrediction(Check.array(mean, "mean"), Check.array(prediction, "prediction"), k);
    }

    /** Monte Carlo dropout's running mean on segments; see {@link #addPrediction(float[], float[], long)}. */
    public static void addPrediction(MemorySegment mean, MemorySegment prediction, long k) {
        Averaging.linearAverage(mean, "mean", prediction, "prediction", k, "k");
    }

    /**
     * The normalized geometric mean of K members' probability vectors, the dropout ensemble's prediction
     * (DL book 7.12): for each row of {@code classes} values,
     * {@code out[y] ∝ (Π_k members[k][y])^(1/K)}, normalized to sum to 1. Computed in double through
     * logarithms; a class that some member gives probability 0 gets 0, and a row where every class has a
     * zero somewhere is NaN (the mean is undefined). Inputs must be probabilities: finite and {@code >= 0}.
     *
     * @param members K ≥ 1 arrays of N·classes probabilities, none of them out
     * @param classes the length of each row, {@code >= 1}
     */
    public static void geometricMean(float[][] members, int classes, float[] out) {
        Objects.requireNonNull(members, "members");
        MemorySegment[] segments = new MemorySegment[members.length];
        for (int k = 0; k < members.length; k++) {
            segments[k] = Check.array(members[k], "members", k);
        }
        geometricMean(segments, classes, Check.array(out, "out"));
    }

    /** The normalized geometric mean on segments; see {@link #geometricMean(float[][], int, float[])}. */
    public static void geometricMean(MemorySegment[] members, int classes, MemorySegment out) {
        long n = checkMembers(members, out);
        if (classes < 1 || n % classes != 0) {
            throw new IllegalArgumentException("classes = " + classes + " must be >= 1 and divide the " + n
                    + " elements of each member");
        }
        for (int k = 0; k < members.length; k++) {
            Check.disjoint(out, "out", members[k], "members", k);
            for (long i = 0; i < n; i++) {
                float p = Floats.get(members[k], i);
                if (!(p >= 0 && p < Float.POSITIVE_INFINITY)) {
                    throw new IllegalArgumentException("members[" + k + "][" + i + "] = " + p
                            + " must be a finite probability >= 0");
                }
            }
        }
        boolean shared = Parallel.shared(out);
        for (MemorySegment member : members) {
            shared &= Parallel.shared(member);
        }
        Parallel.run(n / classes, 1, Math.max(1, GEOMETRIC_PART / classes), shared,
                (r0, r1) -> geometricMeanRows(members, classes, out, r0, r1));
    }

    /** {@link #geometricMean(MemorySegment[], int, MemorySegment)} of rows {@code [r0, r1)}. */
    private static void geometricMeanRows(MemorySegment[] members, int classes, MemorySegment out, long r0, long r1) {
        double[] logs = LOGS.get();
        if (logs.length < classes) {
            logs = new double[classes];
            LOGS.set(logs);
        }
        for (long row = r0 * classes, end = r1 * classes; row < end; row += classes) {
            double max = Double.NEGATIVE_INFINITY;
            for (int y = 0; y < classes; y++) {
                double sum = 0;
                for (MemorySegment member : members) {
                    sum += Math.log(Floats.get(member, row + y));
                }
                logs[y] = sum / members.length;
                max = Math.max(max, logs[y]);
            }
            double total = 0;
            for (int y = 0; y < classes; y++) {
                logs[y] = Math.exp(logs[y] - max);
                total += logs[y];
            }
            for (int y = 0; y < classes; y++) {
                Floats.set(out, row + y, (float) (logs[y] / total));
            }
        }
    }

    private static long checkMembers(MemorySegment[] members, MemorySegment out) {
        Objects.requireNonNull(members, "members");
        if (members.length == 0) {
            throw new IllegalArgumentException("members is empty; an ensemble needs at least one");
        }
        long n = Check.output(out, "out");
        for (int k = 0; k < members.length; k++) {
            Check.sameSize("out", n, "members", k, Check.floats(members[k], "members", k));
        }
        return n;
    }
}
