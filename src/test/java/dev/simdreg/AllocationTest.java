package dev.simdreg;

import dev.simdreg.ApiCalls.Call;
import dev.simdreg.ApiCalls.Prepared;
import dev.simdreg.ApiCalls.Storage;
import dev.simdreg.internal.Parallel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Public calls allocate less than 1 KiB on the heap once warmed up, in a JVM that has run every call on
 * every storage: the conditions of an application, where one kernel's call sites have seen arrays, heap
 * segments over several array types and native segments. Counts bytes with {@code ThreadMXBean}, not time.
 * <p>
 * The test JVMs run with {@code -XX:-UseProfiledLoopPredicate} (the POM's {@code test.jvm}; the README
 * recommends it): without it, C2 (JDK 25) compiles some kernel loops with a profiled loop predicate that fails,
 * and again on every recompilation ({@code -Xlog:deoptimization}: AdamW's copies were made not entrant 43 times
 * in 200 rounds, reason profile_predicate at the loop's head and back edge; also the batch-norm short-row sums
 * and flat loops): they run in C1, boxing, most of the time.
 */
@Tag("allocation")
class AllocationTest {

    /** Bytes a warmed call may allocate: the API's small records and segment wrappers, the harness's boxed result. */
    private static final long LIMIT = 1024;
    /**
     * Rounds over every call before the first measurement, then rounds until every call allocates less than
     * {@link #LIMIT}, or {@link #BUDGET_NANOS} has passed. Kernels are compiled per class of segment, so a JVM
     * that runs them all queues hundreds of C2 compilations; until a kernel's turn comes it runs in C1, where
     * vectors are objects, and a kernel with few loop iterations a call reaches C2 after about 5000 calls. A
     * call that still allocates when the budget is spent is one that never settles.
     */
    private static final int MIN_WARM_UP_ROUNDS = 40;
    private static final long BUDGET_NANOS = 120_000_000_000L;
    private static final int CALLS_PER_ROUND = 20;
    private static final int MEASURED_ROUNDS = 3;
    /** Threads of the split calls: more than this machine has, as a large server's default would be. */
    private static final int SPLIT_THREADS = 7;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void warmCallsAllocateLessThanOneKibibyteInAMixedJvm() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            assertWarmCallsAllocateLittle(arena, Storage.values(), THREADS::getCurrentThreadAllocatedBytes);
        }
    }

    /**
     * The same calls split over seven threads into their smallest parts (a shared arena, segments that other
     * threads may read): the bytes of the caller and of simdreg's pool threads together, per call, so what a
     * split costs (the parts' bounds, a queued task per part) counts with the call's own.
     */
    @Test
    void splitCallsAllocateLessThanOneKibibyteOnAllThreads() throws Throwable {
        try (Arena arena = Arena.ofShared()) {
            Parallel.with(SPLIT_THREADS).where(Parallel.SMALLEST_PART_FOR_TESTS, 1L).call(() -> {
                Parallel.run(SPLIT_THREADS, 1, 1, true, (from, to) -> { }); // starts the pool's threads
                long[] pool = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("simdreg-worker-")).mapToLong(Thread::threadId).toArray();
                assertTrue(pool.length >= SPLIT_THREADS - 1, "simdreg's pool threads: " + pool.length);
                assertWarmCallsAllocateLittle(arena, new Storage[] {Storage.NATIVE, Storage.ARRAYS},
                        () -> THREADS.getCurrentThreadAllocatedBytes() + LongStream.of(THREADS.getThreadAllocatedBytes(
                                pool)).sum());
                return null;
            });
        }
    }

    private static void assertWarmCallsAllocateLittle(Arena arena, Storage[] storages, LongSupplier allocatedBytes)
            throws Throwable {
        List<Prepared> prepared = new ArrayList<>();
        for (Call call : ApiCalls.all(4099)) {
            for (Storage storage : storages) {
                if (call.runsOn(storage)) {
                    prepared.add(call.prepare(storage, arena));
                }
            }
        }
        Set<String> allocating = new TreeSet<>();
        long start = System.nanoTime();
        for (int round = 0; ; round++) {
            for (Prepared p : prepared) {
                for (int i = 0; i < CALLS_PER_ROUND; i++) {
                    p.run();
                }
            }
            if (round < MIN_WARM_UP_ROUNDS) {
                continue;
            }
            allocating.clear();
            long most = -1;
            String heaviest = "";
            for (Prepared p : prepared) {
                long bytes = fewestBytesPerCall(p, allocatedBytes);
                if (bytes >= LIMIT) {
                    allocating.add(p + ": " + bytes + " bytes per call");
                } else if (bytes > most) {
                    most = bytes;
                    heaviest = p.toString();
                }
            }
            System.out.println("round " + round + ", " + Parallel.threads() + " threads: the most a call within the"
                    + " limit allocated, " + most + " bytes, " + heaviest);
            if (allocating.isEmpty() || System.nanoTime() - start > BUDGET_NANOS) {
                break;
            }
        }
        assertEquals(Set.of(), allocating, "calls that allocate once warm, on " + Simdreg.provider() + " ("
                + Parallel.threads() + " threads)");
    }

    /** The fewest bytes per call over a few rounds: a round may include a recompilation, not every round. */
    private static long fewestBytesPerCall(Prepared p, LongSupplier allocatedBytes) throws Throwable {
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < MEASURED_ROUNDS; round++) {
            long before = allocatedBytes.getAsLong();
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                p.run();
            }
            fewest = Math.min(fewest, (allocatedBytes.getAsLong() - before) / CALLS_PER_ROUND);
        }
        return fewest;
    }
}
