package dev.simdreg.internal;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a large call into contiguous parts of its elements, runs the first on the calling thread and the
 * others on a pool of daemon threads, and returns when all are done, with the first part's exception if any
 * threw. The parts start on multiples of a grain the family gives (its block of a sum, or a cache line's
 * floats), so a part computes exactly what the call would have computed there alone.
 * <p>
 * The thread count of a call: the innermost {@link #with} binding on its thread, else {@link #setThreads},
 * else {@code -Dsimdreg.threads}, else the available processors. A call runs on its thread alone when it is
 * smaller than two parts of the family's minimum, when the count is 1, when it is made on a pool thread (of
 * simdreg or of any {@code ForkJoinPool}: nested parallelism would oversubscribe the machine or wait on
 * itself), or when a segment is confined to its thread.
 */
public final class Parallel {

    /** The system property of the thread count. */
    public static final String PROPERTY = "simdreg.threads";

    /** Floats of a cache line: parts start on one, so no two threads write the same line. */
    public static final long LINE = 16;
    /**
     * Elements per part of a split element-wise call, at least. With the pool's threads polling (calls back to
     * back), AdamW over 2^16 floats took 20.4 µs on one thread and 10.6 on two, over 2^15 7.2 and 7.2; a parked
     * thread takes 10-20 µs to wake, and then 2^17 split in two took 26.6 µs against 19.3 (harness).
     */
    public static final long ELEMENTWISE_PART = 1 << 16;
    /**
     * Elements per part of a split random stream or dropout call, at least: normals over 2^14 floats took 7.5
     * µs on one thread and 4.1 on two with the pool polling, uniforms over 2^14 3.4 and 3.7 (harness).
     */
    public static final long RANDOM_PART = 1 << 14;

    private static final System.Logger LOG = System.getLogger("dev.simdreg");
    private static final ScopedValue<Integer> SCOPED = ScopedValue.newInstance();
    /**
     * Bound, the smallest part of every family instead of its measured minimum (never below its grain): the
     * tests' way to split small inputs, as the golden digests'.
     */
    public static final ScopedValue<Long> SMALLEST_PART_FOR_TESTS = ScopedValue.newInstance();
    /** The count set by {@link #setThreads} or the property; 0 for the available processors. */
    private static volatile int configured = fromProperty(System.getProperty(PROPERTY));
    /** A thread that is never started: a segment it may access is not confined. */
    private static final Thread ANOTHER_THREAD = new Thread(() -> { });

    private Parallel() {
    }

    /** A part of a split call: elements {@code [from, to)}. */
    @FunctionalInterface
    public interface Part {
        void run(long from, long to);
    }

    /**
     * A chunk of a part: floats {@code [origin + from, origin + from + length)}, origin a multiple of {@link
     * Chunks#MAX} and {@code from + length} at most that, so kernels count in int from an offset (see {@link
     * Chunks#at}).
     */
    @FunctionalInterface
    public interface Chunk {
        void run(long origin, int from, int length);
    }

    /** The thread count for calls made now on this thread. */
    public static int threads() {
        if (SCOPED.isBound()) {
            return SCOPED.get();
        }
        int count = configured;
        return count > 0 ? count : Runtime.getRuntime().availableProcessors();
    }

    /** Sets the count for calls outside a {@link #with} binding: at least 1, or 0 for the available processors. */
    public static void setThreads(int threads) {
        configured = threads;
    }

    /** The count last set, or 0 for the available processors. */
    static int configured() {
        return configured;
    }

    /** A binding of the count for the calls of one region of code; threads is at least 1. */
    public static ScopedValue.Carrier with(int threads) {
        return ScopedValue.where(SCOPED, threads);
    }

    static int fromProperty(String value) {
        if (value == null) {
            return 0;
        }
        try {
            int threads = Integer.parseInt(value.trim());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        LOG.log(System.Logger.Level.WARNING, "simdreg: -D" + PROPERTY + "=" + value
                + " is not a thread count of at least 1; using the available processors");
        return 0;
    }

    /** Whether no segment of a call is confined to its thread (a null one, an absent output, counts as shared). */
    public static boolean shared(MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d) {
        return shared(a) && shared(b) && shared(c) && shared(d);
    }

    public static boolean shared(MemorySegment a, MemorySegment b) {
        return shared(a) && shared(b);
    }

    public static boolean shared(MemorySegment a) {
        return a == null || a.isAccessibleBy(ANOTHER_THREAD);
    }

    /**
     * Runs part over {@code [0, n)}: on this thread when n is below {@code 2·minPart} or the call may not be
     * split (see the class), otherwise in up to {@link #threads} parts of at least minPart elements, each
     * starting on a multiple of grain.
     */
    public static void run(long n, long grain, long minPart, boolean shared, Part part) {
        int parts = parts(n, smallestPart(grain, minPart), shared);
        if (parts <= 1) {
            part.run(0, n);
            return;
        }
        Pool.run(parts, n, grain, part);
    }

    /**
     * Whether {@link #run} with these arguments runs its one part on this thread: a caller that gathers a result
     * from parts may then take it directly (maxNormRows of one row of 1024 floats took 69 ns through a part and an
     * AtomicLong, 53 without).
     */
    public static boolean onePart(long n, long grain, long minPart, boolean shared) {
        return parts(n, smallestPart(grain, minPart), shared) <= 1;
    }

    private static long smallestPart(long grain, long minPart) {
        return SMALLEST_PART_FOR_TESTS.isBound() ? Math.max(grain, SMALLEST_PART_FOR_TESTS.get()) : minPart;
    }

    /** {@link #run}, each part handed to chunk within the {@link Chunks#MAX} floats of each origin it covers. */
    public static void runChunks(long n, long grain, long minPart, boolean shared, Chunk chunk) {
        run(n, grain, minPart, shared, (from, to) -> {
            for (long start = from; start < to; ) {
                long origin = start / Chunks.MAX * Chunks.MAX;
                long end = Math.min(to, origin + Chunks.MAX);
                chunk.run(origin, (int) (start - origin), (int) (end - start));
                start = end;
            }
        });
    }

    static int parts(long n, long minPart, boolean shared) {
        if (!shared || n < 2 * minPart) {
            return 1;
        }
        int threads = threads();
        Thread current = Thread.currentThread();
        if (threads <= 1 || current instanceof ForkJoinWorkerThread || Pool.isWorker(current)) {
            return 1;
        }
        return (int) Math.min(threads, n / minPart);
    }

    /** The first element of part k of parts over {@code [0, n)}: {@code n·k/parts} down to a multiple of grain. */
    static long partStart(long n, long grain, int parts, int k) {
        return k == parts ? n : (n / parts * k + n % parts * k / parts) / grain * grain;
    }

    /**
     * The pool: daemon threads that take parts of the calls open in {@link #OPEN}, started as calls need them. A
     * thread that finds no part polls for {@link #SPIN_NANOS} before it parks: a parked thread took 10-20 µs to
     * wake on this machine, more than a part of 2^15 random floats lasts (uniform over 2^16 floats split in two:
     * 25.8 µs against 13.3 on one thread, harness). A caller waiting for its parts runs those no pool thread has
     * taken, so a call never waits on a busy pool. Nothing is allocated per call: a call opens its thread's
     * {@link Job} in a slot, and parts are taken by counting.
     */
    private static final class Pool {

        private static final long SPIN_NANOS = 100_000;
        /** Calls open at once, at most; a call that finds no free slot runs on its caller alone. */
        private static final int SLOTS = 64;
        private static final AtomicReferenceArray<Job> OPEN = new AtomicReferenceArray<>(SLOTS);
        private static final ThreadLocal<Job> JOBS = ThreadLocal.withInitial(Job::new);
        private static final ThreadGroup WORKERS = new ThreadGroup("simdreg");
        /** The workers so far, replaced whole when one is added. */
        private static volatile Worker[] workers = new Worker[0];

        static boolean isWorker(Thread t) {
            return t.getThreadGroup() == WORKERS;
        }

        static void run(int parts, long n, long grain, Part part) {
            Job job = JOBS.get();
            if (job.part != null) { // a call made by a part on this thread: it runs within that part
                part.run(0, n);
                return;
            }
            int slot = freeSlot(job);
            if (slot < 0) {
                part.run(0, n);
                return;
            }
            Worker[] pool = atLeast(parts - 1); // before the job starts: nothing after it throws until rethrow
            job.start(parts, n, grain, part);
            // as many parked threads as the call has parts for, no more: an unpark is a system call, and a call
            // of few parts on a large machine would otherwise wake every thread of the pool
            for (int k = 0, woken = 0; k < pool.length && woken < parts - 1; k++) {
                if (pool[k].parked) {
                    LockSupport.unpark(pool[k].thread);
                    woken++;
                }
            }
            job.runPart(0);
            job.await();
            job.close();
            OPEN.set(slot, null);
            job.rethrow();
        }

        /** The slot job now holds, or -1 if every slot is taken. */
        private static int freeSlot(Job job) {
            for (int k = 0; k < SLOTS; k++) {
                if (OPEN.get(k) == null && OPEN.compareAndSet(k, null, job)) {
                    return k;
                }
            }
            return -1;
        }

        /** Runs a part of an open call, if any has one left; whether it did. */
        static boolean runOpenPart() {
            for (int k = 0; k < SLOTS; k++) {
                Job job = OPEN.get(k);
                if (job != null && job.takeAndRun()) {
                    return true;
                }
            }
            return false;
        }

        private static Worker[] atLeast(int count) {
            Worker[] pool = workers;
            if (pool.length >= count) {
                return pool;
            }
            synchronized (Pool.class) {
                pool = workers;
                if (pool.length < count) {
                    Worker[] grown = Arrays.copyOf(pool, count);
                    for (int k = pool.length; k < count; k++) {
                        grown[k] = new Worker(k + 1);
                    }
                    workers = grown;
                    pool = grown;
                }
                return pool;
            }
        }
    }

    /** A pool thread: runs parts of open calls, spins a while when there is none, then parks until a call wakes it. */
    private static final class Worker implements Runnable {

        final Thread thread;
        volatile boolean parked;

        Worker(int number) {
            thread = new Thread(Pool.WORKERS, this, "simdreg-worker-" + number);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                if (Pool.runOpenPart()) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < Pool.SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // checked after the flag: a call opened before it is seen here, one opened after sees the flag
                    if (!Pool.runOpenPart()) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }

    /** One calling thread's split call. */
    private static final class Job {

        /** The value of {@link #next} between calls: past any part, so a pool thread that counts now takes none. */
        private static final int CLOSED = Integer.MAX_VALUE / 2;
        /** How long a caller waits for the pool before it runs its untaken parts: past a parked thread's wake-up. */
        private static final long TAKE_AFTER_NANOS = 50_000;

        private Part part;
        private Thread caller;
        private int parts;
        private long[] bounds = new long[0];
        private Throwable[] errors = new Throwable[0];
        /** The next part to take; part 0 is the caller's. Each part is taken once, by whoever counts it. */
        private final AtomicInteger next = new AtomicInteger(CLOSED);
        private final AtomicInteger pending = new AtomicInteger();

        void start(int parts, long n, long grain, Part part) {
            if (bounds.length <= parts) {
                bounds = new long[parts + 1];
                errors = new Throwable[parts];
            }
            for (int k = 0; k <= parts; k++) {
                bounds[k] = partStart(n, grain, parts, k);
            }
            this.parts = parts;
            this.part = part;
            this.caller = Thread.currentThread();
            pending.set(parts);
            // last: a pool thread that counts from here on finds this call's state
            next.set(1);
        }

        /** Takes the next part of this call and runs it, if one is left; whether it did. */
        boolean takeAndRun() {
            // read first: the threads polling an open call whose parts are all taken then count no further
            if (next.get() >= parts) {
                return false;
            }
            int k = next.getAndIncrement();
            if (k >= parts) {
                return false;
            }
            runPart(k);
            return true;
        }

        void runPart(int k) {
            try {
                part.run(bounds[k], bounds[k + 1]);
            } catch (Throwable e) {
                errors[k] = e;
            } finally {
                if (pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }

        /**
         * Until every part is done: a spin (parts end within microseconds of each other), after 50 µs the parts
         * of this call no pool thread has taken yet (the pool's threads may be busy elsewhere), then parked. Only
         * its own: a part of another call would run on this thread's scratch, which this call's parts may be
         * reading (a dropout call's keep thresholds).
         */
        void await() {
            long start = System.nanoTime();
            boolean helped = false;
            while (pending.get() > 0) {
                if (System.nanoTime() - start < TAKE_AFTER_NANOS) {
                    Thread.onSpinWait();
                } else if (!helped) {
                    helped = true;
                    while (takeAndRun()) {
                        // every untaken part of this call, one after the other
                    }
                } else {
                    LockSupport.park(this);
                }
            }
        }

        /** After the last part: no count takes a part of this call, nor of the next until it has started. */
        void close() {
            next.set(CLOSED);
        }

        /** The exception of the first part that threw, as a call on one thread would have thrown it. */
        void rethrow() {
            Part done = part;
            part = null;
            for (int k = 0; k < errors.length; k++) {
                Throwable e = errors[k];
                if (e != null) {
                    Arrays.fill(errors, null);
                    if (e instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException("a part of a split call of " + done + " failed", e);
                }
            }
        }
    }
}
