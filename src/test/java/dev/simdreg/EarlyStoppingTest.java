package dev.simdreg;

import dev.simdreg.EarlyStopping.Mode;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Early stopping on scripted score sequences: when it stops, which epoch it keeps, what it restores. */
class EarlyStoppingTest {

    /**
     * Runs the scores as epochs whose parameters are {epoch, −epoch}; returns the stop flags and checks
     * the restored parameters are those of the expected best epoch.
     */
    private static boolean[] drive(EarlyStopping.Mode mode, int patience, double minDelta, double[] scores,
                                   int expectedBest) {
        float[] w = new float[2];
        boolean[] stops = new boolean[scores.length];
        try (EarlyStopping monitor = EarlyStopping.of(mode, patience, minDelta, w)) {
            for (int e = 0; e < scores.length; e++) {
                w[0] = e + 1;
                w[1] = -(e + 1);
                stops[e] = monitor.update(scores[e]);
                assertEquals(stops[e], monitor.shouldStop());
            }
            assertEquals(expectedBest, monitor.bestEpoch());
            assertEquals(scores[expectedBest - 1], monitor.bestScore());
            monitor.restoreBest();
            assertArrayEquals(new float[] {expectedBest, -expectedBest}, w);
        }
        return stops;
    }

    @Test
    void lossThatStallsStopsAfterPatienceEpochs() {
        boolean[] stops = drive(Mode.MIN, 3, 0, new double[] {1.0, 0.9, 0.95, 0.94, 0.93, 0.80}, 6);
        assertArrayEquals(new boolean[] {false, false, false, false, true, false}, stops,
                "epochs 3-5 do not beat 0.9; after the fifth it says stop, an improvement clears it");
    }

    @Test
    void improvementResetsTheCount() {
        boolean[] stops = drive(Mode.MIN, 2, 0, new double[] {5, 6, 4, 7, 7}, 3);
        assertArrayEquals(new boolean[] {false, false, false, false, true}, stops);
    }

    @Test
    void changesWithinMinDeltaAreNotImprovements() {
        boolean[] stops = drive(Mode.MIN, 2, 0.05, new double[] {1.0, 0.96, 0.97, 0.90}, 4);
        assertArrayEquals(new boolean[] {false, false, true, false}, stops,
                "0.96 and 0.97 are within 0.05 of 1.0, which stays the best; 0.90 improves on it by 0.10");
    }

    @Test
    void accuracyInMaxMode() {
        boolean[] stops = drive(Mode.MAX, 1, 0.001, new double[] {0.5, 0.7, 0.7005, 0.69}, 2);
        assertArrayEquals(new boolean[] {false, false, true, true}, stops);
    }

    @Test
    void patienceZeroStopsAtTheFirstEpochWithoutImprovement() {
        boolean[] stops = drive(Mode.MIN, 0, 0, new double[] {3, 2, 2}, 2);
        assertArrayEquals(new boolean[] {false, false, true}, stops, "an equal score is not an improvement");
    }

    @Test
    void infiniteScoresAreOrdinary() {
        drive(Mode.MIN, 5, 0, new double[] {Double.POSITIVE_INFINITY, 3, Double.NEGATIVE_INFINITY, 1}, 3);
    }

    @Test
    void nanScoreIsRejectedAndChangesNothing() {
        float[] w = {1, 2};
        try (EarlyStopping monitor = EarlyStopping.of(Mode.MIN, 1, 0, w)) {
            monitor.update(0.5);
            w[0] = 9;
            var e = assertThrows(IllegalArgumentException.class, () -> monitor.update(Double.NaN));
            assertTrue(e.getMessage().contains("score = NaN"), e.getMessage());
            assertEquals(1, monitor.epochs());
            assertEquals(0, monitor.epochsWithoutImprovement());
            assertFalse(monitor.shouldStop());
            monitor.restoreBest();
            assertArrayEquals(new float[] {1, 2}, w);
        }
    }

    @Test
    void severalTensorsInSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(4L * 3), b = arena.allocate(4L * 1000);
            try (EarlyStopping monitor = EarlyStopping.of(Mode.MIN, 1, 0, a, b)) {
                a.fill((byte) 1);
                b.fill((byte) 2);
                monitor.update(1);
                a.fill((byte) 7);
                b.fill((byte) 8);
                assertTrue(monitor.update(2));
                monitor.restoreBest();
                assertEquals(0x01010101, a.get(ValueLayout.JAVA_INT, 8));
                assertEquals(0x02020202, b.get(ValueLayout.JAVA_INT, 3996));
            }
        }
    }

    @Test
    void badArgumentsAndStates() {
        float[] w = new float[4];
        assertMessage(IllegalArgumentException.class, () -> EarlyStopping.of(Mode.MIN, -1, 0, w), "patience = -1");
        assertMessage(IllegalArgumentException.class, () -> EarlyStopping.of(Mode.MIN, 1, -0.5, w), "minDelta = -0.5");
        assertMessage(IllegalArgumentException.class, () -> EarlyStopping.of(Mode.MIN, 1, Double.NaN, w), "minDelta = NaN");
        assertMessage(NullPointerException.class, () -> EarlyStopping.of(null, 1, 0, w), "mode");
        assertMessage(NullPointerException.class, () -> EarlyStopping.of(Mode.MIN, 1, 0, w, null), "parameters[1]");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment readOnly = arena.allocate(16).asReadOnly();
            assertMessage(IllegalArgumentException.class, () -> EarlyStopping.of(Mode.MIN, 1, 0, readOnly),
                    "parameters[0] is read-only");
        }
        EarlyStopping monitor = EarlyStopping.of(Mode.MIN, 1, 0, w);
        assertMessage(IllegalStateException.class, monitor::restoreBest, "no epoch recorded");
        monitor.close();
        assertMessage(IllegalStateException.class, () -> monitor.update(1), "closed");
        monitor.close();
    }

    private static void assertMessage(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable call,
                                      String words) {
        Throwable e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(words), e.getMessage());
    }
}
