package dev.simdreg.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JMH suite and summarizes it. Arguments: the suite ({@code quick} or {@code full}), the JMH
 * JSON result file, and optionally a regular expression that selects benchmarks by JMH's name
 * ({@code package.Class.method}; found anywhere in it, as JMH's own include; all by default).
 * The summary (Markdown) goes next to the JSON file and to standard output.
 */
public final class BenchMain {

    /**
     * Minimal bytes moved per element: every input read once, every output written once. For
     * clipGradNorm, projectToL2Ball and maxNormRows in the measured steady state (nothing to scale)
     * that is one read.
     */
    static final Map<String, Integer> BYTES_PER_ELEMENT = Map.ofEntries(
            Map.entry("softThreshold", 8), Map.entry("proximalL1Step", 12), Map.entry("l1Norm", 4),
            Map.entry("l2Norm", 4), Map.entry("maxNormRows", 4), Map.entry("clipGradNorm", 4),
            Map.entry("projectToL2Ball", 4),
            Map.entry("sgd", 12), Map.entry("sgdMomentum", 20), Map.entry("adamW", 28),
            Map.entry("linearAverage", 12), Map.entry("exponentialAverage", 12),
            Map.entry("copy", 8), Map.entry("inPlaceScale", 8),
            Map.entry("trainingForward", 8), Map.entry("inferenceForward", 8),
            Map.entry("trainingBackward", 12), Map.entry("inferenceBackward", 12));

    /** The ceiling each kernel is compared with: out-of-place and read-only kernels with copy, in-place ones with scale. */
    static String ceilingOf(String kernel) {
        return switch (kernel) {
            case "softThreshold", "l1Norm", "l2Norm", "maxNormRows", "clipGradNorm", "projectToL2Ball",
                 "trainingForward", "inferenceForward", "trainingBackward", "inferenceBackward" -> "copy";
            default -> "inPlaceScale";
        };
    }

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        String suite = args.length > 0 ? args[0] : "quick";
        Path json = Path.of(args.length > 1 ? args[1] : "target/jmh-result.json");
        String include = args.length > 2 && !args[2].isBlank() ? args[2] : "dev\\.simdreg\\.bench\\..*Benchmark";
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .mode(org.openjdk.jmh.annotations.Mode.AverageTime)
                .timeUnit(TimeUnit.NANOSECONDS)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (suite.equals("full")) {
            options.forks(2).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
        } else if (suite.equals("quick")) {
            options.forks(1).warmupIterations(2).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(400));
        } else {
            throw new IllegalArgumentException("bench.suite = " + suite + " must be quick or full");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        String summary = summarize(results);
        Files.writeString(json.resolveSibling("jmh-summary.md"), summary);
        System.out.println(summary);
    }

    /**
     * One measured row. size names the working set: the bytes per array, or a batch-norm shape;
     * elements is the number of floats per array.
     */
    record Row(String kernel, String impl, String size, long elements, double nsPerOp, double error) {
        double gigabytesPerSecond() {
            return (double) BYTES_PER_ELEMENT.get(kernel) * elements / nsPerOp;
        }
    }

    static String summarize(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            var params = r.getParams();
            String label = params.getBenchmark();
            String kernel = label.substring(label.lastIndexOf('.') + 1);
            String impl = params.getParamsKeys().contains("impl") ? params.getParam("impl") : "ceiling";
            String size;
            long elements;
            if (params.getParamsKeys().contains("shape")) {
                size = params.getParam("shape");
                elements = BatchShapes.parse(size).elements();
            } else {
                long bytes = Long.parseLong(params.getParam("bytes"));
                size = human(bytes);
                elements = bytes / Float.BYTES;
            }
            rows.add(new Row(kernel, impl, size, elements, r.getPrimaryResult().getScore(),
                    r.getPrimaryResult().getScoreError()));
        }
        Map<String, Row> byKey = new HashMap<>();
        rows.forEach(row -> byKey.put(row.kernel() + "/" + row.impl() + "/" + row.size(), row));
        StringBuilder out = new StringBuilder();
        out.append("| kernel | size | impl | ns/op ± error | ns/element | GB/s | % of ceiling | vector/scalar | vector/loop |\n");
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
        rows.sort(Comparator.comparing(Row::kernel).thenComparingLong(Row::elements).thenComparing(Row::size)
                .thenComparing(Row::impl));
        for (Row row : rows) {
            Row ceiling = byKey.get(ceilingOf(row.kernel()) + "/ceiling/" + row.size());
            String fraction = ceiling == null || row.impl().equals("ceiling") ? ""
                    : String.format(Locale.ROOT, "%.0f%%", 100 * row.gigabytesPerSecond() / ceiling.gigabytesPerSecond());
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f ± %.1f | %.3f | %.1f | %s | %s | %s |%n",
                    row.kernel(), row.size(), row.impl(), row.nsPerOp(), row.error(),
                    row.nsPerOp() / row.elements(), row.gigabytesPerSecond(), fraction,
                    ratio(byKey, row, "scalar"), ratio(byKey, row, "loop")));
        }
        return out.toString();
    }

    /** How many times faster the vector provider is than other, on the vector row only. */
    private static String ratio(Map<String, Row> byKey, Row row, String other) {
        Row slower = byKey.get(row.kernel() + "/" + other + "/" + row.size());
        if (!row.impl().equals("vector") || slower == null) {
            return "";
        }
        return String.format(Locale.ROOT, "%.1f×", slower.nsPerOp() / row.nsPerOp());
    }

    private static String human(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : (bytes >> 10) + " KiB";
    }
}
