package dev.simdreg.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report generator on a small recorded JMH result ({@code sample-jmh.json}: rows of real quick
 * suites on this project's machine) and peer results in the same schema ({@code sample-peers.json}: the
 * PyTorch batch-norm figure is real, the sgd and dropout ones are made up for the test).
 */
class ReportTest {

    private static final Machine MACHINE = new Machine("AMD EPYC (test)", 2, "Eclipse Adoptium 25.0.3", "vector 512-bit",
            "2026-11-24");
    private static final double TOLERANCE = 1e-9;

    private static String resource(String name) throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Measurement> sample() throws IOException {
        return JmhJson.parse(resource("sample-jmh.json"));
    }

    private static List<Measurement> peers() throws IOException {
        return JmhJson.parse(resource("sample-peers.json"));
    }

    private static Report.Row row(Report report, String kernel, String impl, String size) {
        return report.rows().stream().filter(r -> r.kernel().equals(kernel) && r.impl().equals(impl)
                && r.size().equals(size)).findFirst().orElseThrow(() -> new AssertionError(kernel + " " + impl + " " + size));
    }

    @Test
    void parsesKernelImplementationAndSize() throws IOException {
        List<Measurement> m = sample();
        assertEquals(18, m.size());
        Measurement copy = m.get(0);
        assertEquals("copy", copy.kernel());
        assertEquals("ceiling", copy.impl(), "a benchmark without impl is a ceiling");
        assertEquals("4 KiB", copy.size());
        assertEquals(1024, copy.elements());
        Measurement bn = m.stream().filter(x -> x.kernel().equals("trainingForward") && x.impl().equals("vector"))
                .findFirst().orElseThrow();
        assertEquals("rows:256x1024", bn.size());
        assertEquals(256 * 1024, bn.elements());
        assertEquals(39001.5, bn.nsPerOp(), TOLERANCE);
        assertEquals(3744.1, bn.error(), TOLERANCE);
    }

    @Test
    void countsMinimalBytesPerKernel() throws IOException {
        Report report = Report.of(MACHINE, sample(), List.of());
        // sgd reads w and g and writes w: 12 bytes per element
        assertEquals(12.0 * 65536 / 2031.2, row(report, "sgd", "vector", "256 KiB").gigabytesPerSecond(), TOLERANCE);
        // a norm reads its input once
        assertEquals(4.0 * 65536 / 1321.0, row(report, "l2Norm", "vector", "256 KiB").gigabytesPerSecond(), TOLERANCE);
        // batch norm forward: x read, y written
        assertEquals(8.0 * 262144 / 39001.5, row(report, "trainingForward", "vector", "rows:256x1024")
                .gigabytesPerSecond(), TOLERANCE);
        assertEquals(2031.2 / 65536, row(report, "sgd", "vector", "256 KiB").nsPerElement(), TOLERANCE);
        assertThrows(IllegalArgumentException.class, () -> Accounting.bytesPerElement("noSuchKernel"));
    }

    @Test
    void comparesWithTheRightCeilingAndTheScalarProvider() throws IOException {
        Report report = Report.of(MACHINE, sample(), List.of());
        Report.Row sgd = row(report, "sgd", "vector", "256 KiB");
        double inPlace = 8.0 * 65536 / 1307.4;
        assertEquals(12.0 * 65536 / 2031.2 / inPlace, sgd.fractionOfCeiling(), TOLERANCE, "in place: scale ceiling");
        assertEquals(55092.6 / 2031.2, sgd.vectorOverScalar(), TOLERANCE);
        assertEquals(2260.1 / 2031.2, sgd.vectorOverLoop(), TOLERANCE);
        double copy = 8.0 * 65536 / 1943.8;
        assertEquals(4.0 * 65536 / 1321.0 / copy, row(report, "l2Norm", "vector", "256 KiB").fractionOfCeiling(),
                TOLERANCE, "read-only: copy ceiling");
        assertNull(row(report, "l2Norm", "vector", "256 KiB").vectorOverScalar(), "no scalar row, no ratio");
        assertNull(row(report, "sgd", "loop", "4 KiB").vectorOverScalar(), "ratios only on vector rows");
        assertNull(row(report, "copy", "ceiling", "4 KiB").fractionOfCeiling());
        assertNull(row(report, "inPlaceScale", "ceiling", "4 KiB").fractionOfCeiling(), "a ceiling is its own");
        assertEquals(1943.8 / 2429.75, row(report, "vectorCopy", "ceiling", "256 KiB").fractionOfCeiling(), TOLERANCE,
                "the vector-loop copy as a share of the bulk copy");
        double shapeCopy = 8.0 * 262144 / 18286.0;
        assertEquals(8.0 * 262144 / 39001.5 / shapeCopy,
                row(report, "trainingForward", "vector", "rows:256x1024").fractionOfCeiling(), TOLERANCE,
                "a shape's ceiling is the copy of the same shape");
    }

    @Test
    void comparesWithTheTrafficCeilingWhereAKernelHasOne() throws IOException {
        Report report = Report.of(MACHINE, sample(), List.of());
        assertEquals(1279.5 / 1321.0, row(report, "l2Norm", "vector", "256 KiB").fractionOfTrafficCeiling(), TOLERANCE,
                "read-only: the vector sum");
        assertEquals(8066.3 / 8164.3, row(report, "adamW", "vector", "256 KiB").fractionOfTrafficCeiling(), TOLERANCE,
                "AdamW: its own streams, square root and division");
        assertEquals(28.0 * 65536 / 8066.3 / (8.0 * 65536 / 1307.4),
                row(report, "adamStreams", "ceiling", "256 KiB").fractionOfCeiling(), TOLERANCE,
                "a traffic ceiling as a share of the in-place scale");
        assertNull(row(report, "sgd", "vector", "256 KiB").fractionOfTrafficCeiling(), "the scale stands for sgd");
        String markdown = report.markdown();
        assertTrue(markdown.contains("| l2Norm | 256 KiB | vector | 1321.0 ± 679.6 | 0.020 | 198.4 | 74% | 97% |"),
                markdown);
    }

    @Test
    void addsPeerRatiosAndNotesWhatIsMissing() throws IOException {
        Report withPeers = Report.of(MACHINE, sample(), peers());
        assertEquals(8124.8 / 2031.2, row(withPeers, "sgd", "vector", "256 KiB").peerOverVector(), TOLERANCE);
        assertEquals("pytorch", row(withPeers, "sgd", "vector", "256 KiB").peer());
        assertEquals(76500.0 / 39001.5, row(withPeers, "trainingForward", "vector", "rows:256x1024").peerOverVector(),
                TOLERANCE);
        assertNull(row(withPeers, "sgd", "vector", "4 KiB").peerOverVector(), "no peer at this size");
        Report.Row pytorch = row(withPeers, "sgd", "pytorch", "256 KiB");
        assertEquals(12.0 * 65536 / 8124.8, pytorch.gigabytesPerSecond(), TOLERANCE, "peers get rows of their own");
        assertNull(pytorch.peerOverVector());
        assertEquals(List.of("1 peer result(s) had no simdreg measurement of the same kernel and size."),
                withPeers.notes());
        assertTrue(withPeers.markdown().contains("| 4.0× (pytorch) |"), withPeers.markdown());

        Report withoutPeers = Report.of(MACHINE, sample(), List.of());
        assertTrue(withoutPeers.notes().get(0).contains("No peer results"), withoutPeers.notes().toString());
        assertTrue(!withoutPeers.markdown().contains("peer time"), "no peer column without peers");
    }

    @Test
    void setsDjlBesideSimdregInItsOwnTableAndAColumnOfTheMainOne() throws IOException {
        List<Measurement> all = new java.util.ArrayList<>(sample());
        all.addAll(JmhJson.parse(resource("sample-djl.json")));
        Report report = Report.of(MACHINE, all, List.of());
        assertEquals(2, report.djl().size(), "pairs only: the 4 MiB l2Norm has no simdreg-djl run");
        Report.DjlRow tiny = report.djl().get(1);
        assertEquals("l2Norm", tiny.kernel());
        assertEquals("64 B", tiny.size());
        assertEquals(100.0, tiny.djlOverSimdreg(), TOLERANCE);
        Report.DjlRow adamW = report.djl().get(0);
        assertEquals(28.0 * 65536 / 9000.0, adamW.simdregGigabytesPerSecond(), TOLERANCE);
        assertEquals(90000.0 / 8164.3, row(report, "adamW", "vector", "256 KiB").djlOverVector(), TOLERANCE,
                "the main table's DJL column: DJL's time over the plain vector kernel's");
        assertTrue(report.rows().stream().noneMatch(r -> r.impl().startsWith("simdreg-djl") || r.impl().equals("djl")),
                "DJL's runs are not rows of the main table");
        String markdown = report.markdown();
        assertTrue(markdown.contains("| adamW | 256 KiB | 9.00 | 203.9 | 90.0 | 10.0× |"), markdown);
        assertTrue(markdown.contains("| l2Norm | 64 B | 0.04 | 1.6 | 4.00 | 100.0× |"), markdown);
    }

    @Test
    void markdownAndJsonCarryTheMachineAndEveryRow() throws IOException {
        Report report = Report.of(MACHINE, sample(), peers());
        String md = report.markdown();
        for (String expected : List.of("AMD EPYC (test), 2 cores", "Eclipse Adoptium 25.0.3", "vector 512-bit", "2026-11-24",
                "## optimizers", "## batch norm", "## penalties", "| sgd | 256 KiB | vector | 2031.2 ± 195.0 |")) {
            assertTrue(md.contains(expected), () -> "report.md lacks " + expected + ":\n" + md);
        }
        String json = report.json();
        assertTrue(json.contains("\"cpu\": \"AMD EPYC (test)\""), json);
        assertEquals(18 + 2, JsonRows.count(json), "every measurement, and the two peers of measured kernels");
    }

    @Test
    void writesReportFilesAndChartsPerKernelAndFamily(@TempDir Path dir) throws IOException {
        Report.of(MACHINE, sample(), peers()).write(dir);
        assertTrue(Files.readString(dir.resolve("report.md")).startsWith("# simdreg benchmark report"));
        assertTrue(Files.size(dir.resolve("report.json")) > 0);
        // lines over sizes for the swept kernels, bars by shape for batch norm
        for (String kernel : List.of("sgd", "l2Norm", "family-optimizers", "family-penalties", "trainingForward",
                "family-batch-norm")) {
            String svg = Files.readString(dir.resolve("charts").resolve(kernel + ".svg"));
            assertTrue(svg.contains("<svg"), kernel + ".svg is not SVG");
        }
    }

    @Test
    void opensWithEachKernelAtItsLargestSizeAndItsPeer() throws IOException {
        Report report = Report.of(MACHINE, sample(), peers());
        assertEquals(report.headline().stream().map(Report.Row::kernel).distinct().count(), report.headline().size(),
                "one row per kernel");
        Report.Row sgd = report.headline().stream().filter(r -> r.kernel().equals("sgd")).findFirst().orElseThrow();
        assertEquals("256 KiB", sgd.size(), "the largest size measured");
        String md = report.markdown();
        assertTrue(md.indexOf("## Headline") < md.indexOf("## optimizers"), "the headline comes first");
        assertTrue(md.contains("| sgd | 256 KiB | 2.0 | "), md);
        assertTrue(md.contains(" (pytorch) | 4.0× |"), md);
    }

    @Test
    void setsTheMixedForkBesideTheCleanOneWithBytesPerCall() throws IOException {
        List<Measurement> measured = new java.util.ArrayList<>(sample());
        measured.addAll(JmhJson.parse(resource("sample-mix.json")));
        Report report = Report.of(MACHINE, measured, List.of());
        assertEquals(1, report.mix().size());
        Report.MixRow adamW = report.mix().getFirst();
        assertEquals("ARRAYS, 256 KiB", adamW.size());
        assertEquals(2.5, adamW.mixedOverClean(), TOLERANCE);
        assertEquals(16, adamW.cleanBytes(), TOLERANCE);
        assertEquals(515000, adamW.mixedBytes(), TOLERANCE);
        assertEquals(report.rows().size(), Report.of(MACHINE, sample(), List.of()).rows().size(),
                "the mix's runs are not rows of the kernel tables");
        assertTrue(report.markdown().contains("| adamW | ARRAYS, 256 KiB | 20000.0 | 50000.0 | 2.50 | 16.0 | 515000.0 |"),
                report.markdown());
        assertTrue(Double.isNaN(sample().getFirst().bytesPerOp()), "no GC profiler, no bytes");
    }

    @Test
    void setsEachKernelOnAllThreadsBesideOneAndPyTorchAtItsDefault() throws IOException {
        List<Measurement> measured = new java.util.ArrayList<>(sample());
        measured.addAll(JmhJson.parse(resource("sample-threads.json")));
        List<Measurement> peers = JmhJson.parse(resource("sample-threads-peers.json"));
        Report report = Report.of(MACHINE, measured, peers);
        assertEquals(2, report.scaling().size(), "adamW and the copy");
        Report.ScalingRow adamW = report.scaling().getFirst();
        assertEquals("adamW", adamW.kernel());
        assertEquals("4 MiB", adamW.size());
        assertEquals(2.0, adamW.speedup(), TOLERANCE);
        assertEquals(28.0 * (1 << 20) / 67000.0, adamW.allGigabytesPerSecond(), TOLERANCE);
        assertEquals(adamW.allGigabytesPerSecond() / (8.0 * (1 << 20) / 40000.0), adamW.fractionOfAllCopy(), TOLERANCE);
        assertEquals(700000.0, adamW.pyTorchOneNs(), TOLERANCE);
        assertEquals("2", adamW.pyTorchThreads());
        assertEquals(6.0, adamW.pyTorchDefaultOverAll(), TOLERANCE);
        assertEquals(Report.of(MACHINE, sample(), List.of()).rows().size(), report.rows().size(),
                "the scaling runs and their peers are not rows of the kernel tables");
        assertTrue(report.markdown().contains("| adamW | 4 MiB | 134.0 | 67.0 | 2.0× | 438.2 | 209% | 700.0 | 402.0 (2) "
                + "| 6.0× |"), report.markdown());
    }

    /** Counts the rows of a report's JSON. */
    private static final class JsonRows {
        static int count(String json) {
            return com.google.gson.JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("rows").size();
        }
    }
}
