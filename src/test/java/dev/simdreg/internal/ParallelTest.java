package dev.simdreg.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The split itself: parts, their bounds, the threads they run on, and the exception a caller sees. */
class ParallelTest {

    private static final long N = 10_000;
    private static final long GRAIN = 16;
    private static final long MIN_PART = 1000;

    @Test
    void partsCoverTheRangeOnGrainBoundariesAndAreTheSameForEveryRun() {
        for (int threads : new int[] {2, 3, 7}) {
            List<long[]> ranges = new CopyOnWriteArrayList<>();
            Parallel.with(threads).run(() -> Parallel.run(N, GRAIN, MIN_PART, true,
                    (from, to) -> ranges.add(new long[] {from, to})));
            assertEquals(threads, ranges.size(), threads + " threads");
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            long next = 0;
            for (long[] range : ranges) {
                assertEquals(next, range[0]);
                assertEquals(0, range[0] % GRAIN, "a part starts on a multiple of the grain");
                next = range[1];
            }
            assertEquals(N, next);
        }
    }

    @Test
    void smallCallsConfinedSegmentsAndOneThreadRunOnTheCaller() {
        Thread caller = Thread.currentThread();
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.with(4).run(() -> {
            Parallel.run(2 * MIN_PART - 1, GRAIN, MIN_PART, true, (from, to) -> seen.add(Thread.currentThread()));
            Parallel.run(N, GRAIN, MIN_PART, false, (from, to) -> seen.add(Thread.currentThread()));
        });
        Parallel.with(1).run(() -> Parallel.run(N, GRAIN, MIN_PART, true, (from, to) -> seen.add(Thread.currentThread())));
        assertEquals(Set.of(caller), seen);
    }

    @Test
    void aCallOnAForkJoinWorkerRunsOnThatWorkerAlone() throws Exception {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Thread worker = ForkJoinPool.commonPool().submit(() -> {
            Parallel.with(4).run(() -> Parallel.run(N, GRAIN, MIN_PART, true,
                    (from, to) -> seen.add(Thread.currentThread())));
            return Thread.currentThread();
        }).get();
        assertEquals(Set.of(worker), seen);
    }

    @Test
    void poolThreadsAreDaemonsAndAVirtualCallerIsServed() throws Exception {
        List<Thread> runners = new CopyOnWriteArrayList<>();
        Set<Long> starts = ConcurrentHashMap.newKeySet();
        Thread virtual = Thread.ofVirtual().start(() -> Parallel.with(3).run(() ->
                Parallel.run(N, GRAIN, MIN_PART, true, (from, to) -> {
                    starts.add(from);
                    runners.add(Thread.currentThread());
                })));
        virtual.join();
        assertEquals(3, starts.size(), "parts");
        assertTrue(runners.contains(virtual), "the caller runs the first part");
        for (Thread t : runners) {
            assertTrue(t == virtual || t.isDaemon() && t.getName().startsWith("simdreg-worker-"), t.toString());
        }
    }

    @Test
    void theFirstFailingPartsExceptionReachesTheCaller() {
        RuntimeException second = new IllegalStateException("part 2");
        RuntimeException third = new IllegalArgumentException("part 3");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Parallel.with(4).run(() ->
                Parallel.run(N, GRAIN, MIN_PART, true, (from, to) -> {
                    if (from == Parallel.partStart(N, GRAIN, 4, 1)) {
                        throw second;
                    }
                    if (from == Parallel.partStart(N, GRAIN, 4, 2)) {
                        throw third;
                    }
                })));
        assertSame(second, thrown);
        // and the next call on this thread is not affected by it
        Set<Long> starts = ConcurrentHashMap.newKeySet();
        Parallel.with(2).run(() -> Parallel.run(N, GRAIN, MIN_PART, true, (from, to) -> starts.add(from)));
        assertEquals(Set.of(0L, Parallel.partStart(N, GRAIN, 2, 1)), starts);
    }

    @Test
    void aCallMadeByAPartRunsWithinIt() {
        Set<Long> inner = ConcurrentHashMap.newKeySet();
        Set<Long> outer = ConcurrentHashMap.newKeySet();
        Parallel.with(2).run(() -> Parallel.run(N, GRAIN, MIN_PART, true, (from, to) -> {
            outer.add(from);
            Parallel.run(N, GRAIN, MIN_PART, true, (innerFrom, innerTo) -> inner.add(innerFrom * N + innerTo));
        }));
        assertEquals(2, outer.size());
        assertEquals(Set.of(N), inner, "each part's inner call ran whole, as one part");
    }

    @Test
    void theCountComesFromTheInnermostBindingThenTheSettingThenTheProperty() {
        int before = Parallel.configured();
        try {
            Parallel.setThreads(5);
            assertEquals(5, Parallel.threads());
            Parallel.with(2).run(() -> {
                assertEquals(2, Parallel.threads());
                Parallel.with(3).run(() -> assertEquals(3, Parallel.threads()));
                assertEquals(2, Parallel.threads());
            });
        } finally {
            Parallel.setThreads(before);
        }
        assertEquals(0, Parallel.fromProperty(null));
        assertEquals(6, Parallel.fromProperty(" 6 "));
        assertEquals(0, Parallel.fromProperty("0"));
        assertEquals(0, Parallel.fromProperty("many"));
    }
}
