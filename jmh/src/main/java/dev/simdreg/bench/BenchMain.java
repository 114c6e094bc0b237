package dev.simdreg.bench;

import dev.simdreg.report.JmhJson;
import dev.simdreg.report.Machine;
import dev.simdreg.report.Measurement;
import dev.simdreg.report.Report;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JMH suite and writes the report. Arguments: the suite ({@code quick}, {@code full}, or
 * {@code report} to rebuild the report from the results and peer results already there); the JMH
 * JSON result file; optionally a regular expression that selects benchmarks by JMH's name
 * ({@code package.Class.method}, found anywhere in it, as JMH's own include; all by default); and the
 * peers to measure in the same run ({@code none} or {@code pytorch}). The report (report.md, report.json,
 * charts/) goes to {@code bench/} next to the JSON file, and report.md to standard output.
 */
public final class BenchMain {

    private static final String PYTORCH_SCRIPT = "bench/peers/pytorch_peers.py";

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException, InterruptedException {
        String suite = args.length > 0 ? args[0] : "quick";
        Path json = Path.of(args.length > 1 ? args[1] : "target/jmh-result.json");
        String include = args.length > 2 && !args[2].isBlank() ? args[2] : "dev\\.simdreg\\.bench\\..*Benchmark";
        String peers = args.length > 3 && !args[3].isBlank() ? args[3] : "none";
        if (!peers.equals("none") && !peers.equals("pytorch")) {
            throw new IllegalArgumentException("bench.peers = " + peers + " must be none or pytorch");
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .addProfiler(GCProfiler.class) // bytes allocated per call, for the report's application table
                .mode(org.openjdk.jmh.annotations.Mode.AverageTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        Path dir = json.resolveSibling("bench");
        Path peerJson = dir.resolve("peers-pytorch.json");
        if (suite.equals("report")) {
            writeReport(json, Files.exists(peerJson) ? JmhJson.read(peerJson) : List.of(), dir);
            return;
        }
        if (suite.equals("full")) {
            // more forks and longer iterations, and three more sizes between the quick suite's four
            options.forks(2).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                    .param("bytes", "4096", "32768", "262144", "1048576", "4194304", "16777216", "67108864");
        } else if (suite.equals("quick")) {
            // 324 forks in well under 10 minutes on 2 cores, each also about half a second to start and set up
            // (3 × 250 ms of measurement took 9:43 in all). Half a second of warm-up: the first calls at 64 MiB,
            // before C2 has compiled the kernel, take 0.2 s each (adamW, measured).
            options.forks(1).warmupIterations(2).warmupTime(TimeValue.milliseconds(250))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(200));
        } else {
            throw new IllegalArgumentException("bench.suite = " + suite + " must be quick, full or report");
        }
        new Runner(options.build()).run();
        // from here on nothing measured may be lost: a failing peer leaves its column out, a failing report
        // says where the measurements are and how to rebuild it from them
        List<Measurement> peerResults = List.of();
        if (peers.equals("pytorch")) {
            peerResults = pyTorch(peerJson);
        }
        try {
            writeReport(json, peerResults, dir);
        } catch (IOException | RuntimeException e) {
            System.err.println("The report failed (" + e + "). The measurements are in " + json
                    + (peerResults.isEmpty() ? "" : " and " + peerJson)
                    + "; rebuild the report from them with: ./mvnw -Pbench verify -Dbench.suite=report");
            throw e;
        }
    }

    private static void writeReport(Path json, List<Measurement> peers, Path dir) throws IOException {
        Report report = Report.of(Machine.current(), JmhJson.read(json), peers);
        report.write(dir);
        System.out.println(report.markdown());
        System.out.println("Report: " + dir.resolve("report.md") + ", " + dir.resolve("report.json") + ", "
                + dir.resolve("charts"));
    }

    /**
     * PyTorch's side of the comparison, right after simdreg's, on the same machine; none, with one line saying
     * why, when the script cannot run (it skips what its missing modules would measure, and says so).
     */
    private static List<Measurement> pyTorch(Path out) throws InterruptedException {
        try {
            Files.createDirectories(out.getParent());
            Files.deleteIfExists(out);
            Process python = new ProcessBuilder("/usr/bin/python3", PYTORCH_SCRIPT, out.toString()).inheritIO()
                    .start();
            int exit = python.waitFor();
            if (exit != 0) {
                System.err.println("PyTorch peer left out: " + PYTORCH_SCRIPT + " exited with " + exit);
                return List.of();
            }
            return JmhJson.read(out);
        } catch (IOException | RuntimeException e) {
            System.err.println("PyTorch peer left out: " + e);
            return List.of();
        }
    }
}
