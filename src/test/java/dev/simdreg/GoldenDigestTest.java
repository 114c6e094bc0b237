package dev.simdreg;

import dev.simdreg.ApiCalls.Call;
import dev.simdreg.ApiCalls.Prepared;
import dev.simdreg.ApiCalls.Storage;
import dev.simdreg.internal.Parallel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The same input gives the same bits: every call's outputs, on every storage, hash to the digest committed in
 * {@code golden-digests.txt}, in each of the three Surefire executions (vector at the preferred width, at 128
 * bits, scalar), on the first call and after the JIT has compiled it. {@code -Dsimdreg.writeGolden=DIR}
 * writes the file into DIR instead of checking it.
 */
class GoldenDigestTest {

    /**
     * Sizes around n floats, and the calls after which a call counts as warm: 1021 leaves a tail at every
     * width, 4096 none; 40960, three blocks of the sums, once (cold and warm are the same code there).
     */
    private static final int[][] SIZES_AND_CALLS = {{1021, 2000}, {4096, 2000}, {40960, 1}};

    @Test
    void everyCallGivesItsGoldenBitsColdAndWarm() throws Throwable {
        Map<String, String> digests = new TreeMap<>();
        List<String> differences = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (int[] sizeAndCalls : SIZES_AND_CALLS) {
            int n = sizeAndCalls[0];
            for (Call call : ApiCalls.all(n)) {
                for (Storage storage : Storage.values()) {
                    if (!call.runsOn(storage)) {
                        continue;
                    }
                    String cold = digest(call.prepare(storage, arena), 1);
                    String warm = digest(call.prepare(storage, arena), sizeAndCalls[1]);
                    if (!cold.equals(warm)) {
                        differences.add(call.label() + " on " + storage + ": cold " + cold + ", warm " + warm);
                    }
                    String first = digests.putIfAbsent("n=" + n + " " + call.label(), cold);
                    if (first != null && !first.equals(cold)) {
                        differences.add(call.label() + " on " + storage + ": " + cold + ", other storage " + first);
                    }
                }
            }
            }
        }
        String written = System.getProperty("simdreg.writeGolden");
        if (written != null) {
            String provider = Simdreg.provider().name() + "-" + Simdreg.provider().vectorBits();
            Files.writeString(Path.of(written, "golden-digests-" + provider + ".txt"), format(digests));
            Files.write(Path.of(written, "differences-" + provider + ".txt"), differences);
            return;
        }
        assertEquals(List.of(), differences, "calls whose bits depend on the storage or on the JIT");
        assertEquals(golden(), format(digests), "digests on " + Simdreg.provider());
    }

    /**
     * The same digests with every call split into parts as small as its family allows, on 2, 3 and 7 threads
     * (the sizes below the measured thresholds would run on one): each part computes what one thread does.
     */
    @Test
    void everyCallGivesItsGoldenBitsOnSeveralThreads() throws Throwable {
        Map<String, String> golden = new TreeMap<>();
        for (String line : golden().split("\n")) {
            golden.put(line.substring(line.indexOf(' ') + 1), line.substring(0, line.indexOf(' ')));
        }
        List<String> differences = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            for (int threads : new int[] {2, 3, 7}) {
                for (int[] sizeAndCalls : SIZES_AND_CALLS) {
                    int n = sizeAndCalls[0];
                    for (Call call : ApiCalls.all(n)) {
                        if (!call.runsOn(Storage.NATIVE)) {
                            continue;
                        }
                        Prepared p = call.prepare(Storage.NATIVE, arena);
                        String digest = Parallel.with(threads).where(Parallel.SMALLEST_PART_FOR_TESTS, 1L)
                                .call(() -> digestOnce(p));
                        String label = "n=" + n + " " + call.label();
                        if (!digest.equals(golden.get(label))) {
                            differences.add(label + " on " + threads + " threads: " + digest + ", golden "
                                    + golden.get(label));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), differences, "calls whose bits depend on the thread count");
    }

    private static String digestOnce(Prepared p) {
        try {
            return digest(p, 1);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The digest of a fresh call's outputs after it ran calls times: each run starts from the same inputs. */
    private static String digest(Prepared p, int calls) throws Throwable {
        Object returned = null;
        for (int i = 0; i < calls; i++) {
            returned = p.run();
            if (i + 1 < calls) {
                p.reset();
            }
        }
        return p.digest(returned);
    }

    private static String format(Map<String, String> digests) {
        StringBuilder text = new StringBuilder();
        digests.forEach((label, digest) -> text.append(digest).append(' ').append(label).append('\n'));
        return text.toString();
    }

    private static String golden() throws IOException {
        try (InputStream in = GoldenDigestTest.class.getResourceAsStream("golden-digests.txt")) {
            assertNotNull(in, "golden-digests.txt");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
