package dev.simdreg;

import dev.simdreg.internal.Parallel;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * How many threads simdreg splits a large call over. Every call returns when its work is done: one large
 * enough (the size from which a split pays is measured per family, see docs/performance.md) is cut into
 * contiguous parts, the calling thread running the first and pool threads the others. The results are the
 * same bits for any count: element-wise kernels compute each element alone, the random streams are
 * counter-based, and sums add in an order fixed by element position, which a split follows.
 * <p>
 * The count of a call: the innermost {@link #runWith} or {@link #callWith} on its thread, else the last
 * {@link #setCount}, else the system property {@value Parallel#PROPERTY}, else the machine's available
 * processors, as PyTorch's default intra-op thread count: a backend that replaces PyTorch's CPU kernels
 * should keep the cores they used. The pool's threads are daemons, started by the first call that splits.
 * A call made on a pool thread (simdreg's own, or any {@code ForkJoinPool}'s: parallel streams, a
 * framework's parallel loop) runs on that thread alone, so nested parallelism neither oversubscribes the
 * machine nor waits on itself; a call on a virtual thread parks while the parts run. A call on a segment
 * confined to its thread ({@code Arena.ofConfined()}) runs on the calling thread alone, since no other
 * thread may read it.
 */
public final class Threads {

    private Threads() {
    }

    /** The thread count for calls made now on this thread. */
    public static int count() {
        return Parallel.threads();
    }

    /** Sets the thread count for calls outside {@link #runWith} and {@link #callWith}, on every thread. */
    public static void setCount(int threads) {
        Parallel.setThreads(checked(threads));
    }

    /** Runs action with the calls it makes on this thread split over at most {@code threads} threads. */
    public static void runWith(int threads, Runnable action) {
        Objects.requireNonNull(action, "action");
        Parallel.with(checked(threads)).run(action);
    }

    /** Calls action with the calls it makes on this thread split over at most {@code threads} threads. */
    public static <T> T callWith(int threads, Supplier<? extends T> action) {
        Objects.requireNonNull(action, "action");
        return Parallel.with(checked(threads)).call(action::get);
    }

    private static int checked(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + " must be >= 1");
        }
        return threads;
    }
}
