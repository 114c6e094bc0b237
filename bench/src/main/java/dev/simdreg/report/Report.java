package dev.simdreg.report;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark report: for every kernel and size, ns per element, GB/s, the fraction of the same-run
 * ceiling (and of the kernel's traffic ceiling, where it has one), the vector provider's speedup over the
 * scalar one, and, where a peer measured the same work, the ratio of its time to simdreg's.
 *
 * @param machine where it was measured
 * @param rows    one per kernel, size and implementation, ceilings included
 * @param notes   what the reader should know about missing pieces
 * @param mix     the application-mix benchmark: each kernel and storage in a clean fork and in a mixed one
 * @param scaling the scaling benchmarks: each kernel on one thread and on all, beside PyTorch on one and on its
 *                default count where it measured them
 * @param djl     the DJL benchmarks: simdreg's integration against libtorch through DJL, in the same JVM
 */
public record Report(Machine machine, List<Row> rows, List<String> notes, List<MixRow> mix, List<ScalingRow> scaling,
                     List<DjlRow> djl) {

    /** The implementations of the DJL benchmarks: simdreg's kernels on DJL's tensors, and DJL's own ops. */
    static final String SIMDREG_IN_DJL = "simdreg-djl";
    static final String DJL = "djl";

    /**
     * A kernel in DJL: simdreg's integration on DJL's tensors and DJL's own op (libtorch), their times, GB/s of
     * simdreg's, and the ratio of DJL's time to simdreg's; at 16 floats both are per-call overhead.
     */
    public record DjlRow(String kernel, String size, double simdregNs, double djlNs, double simdregGigabytesPerSecond,
                         double djlOverSimdreg) {
    }

    /**
     * A kernel on one thread and on all the machine's: the times, the speedup, GB/s on all threads and their
     * fraction of the copy on all threads; PyTorch's times on one thread and at its default count, and the
     * ratio of the latter to simdreg on all threads (null where PyTorch did not measure it).
     */
    public record ScalingRow(String kernel, String size, double oneNs, double allNs, double speedup,
                             double allGigabytesPerSecond, Double fractionOfAllCopy, Double pyTorchOneNs,
                             Double pyTorchDefaultNs, String pyTorchThreads, Double pyTorchDefaultOverAll) {
    }

    /**
     * A kernel on one storage kind in a fork that ran it only there (clean) and in one that also ran it on
     * every other kind (mixed): the times, their ratio, and the heap bytes per call of each.
     */
    public record MixRow(String kernel, String size, double cleanNs, double mixedNs, double mixedOverClean,
                         double cleanBytes, double mixedBytes) {
    }

    /**
     * One line of the report. Fractions and ratios are null where they do not apply (a ceiling has no
     * ceiling; only vector rows carry speedups).
     */
    public record Row(String family, String kernel, String size, String impl, long elements, double nsPerOp,
                      double error, double nsPerElement, double gigabytesPerSecond, Double fractionOfCeiling,
                      Double fractionOfTrafficCeiling,
                      Double vectorOverScalar, Double vectorOverLoop, Double peerOverVector, String peer,
                      Double djlOverVector) {
    }

    /** The report of measurements, with peers' measurements of the same kernels and sizes where given. */
    public static Report of(Machine machine, List<Measurement> measurements, List<Measurement> peers) {
        Map<String, Measurement> byKey = new HashMap<>();
        measurements.forEach(m -> byKey.put(key(m.kernel(), m.impl(), m.size()), m));
        List<MixRow> mix = new ArrayList<>();
        for (Measurement m : measurements) {
            Measurement clean = m.impl().equals("mixed") ? byKey.get(key(m.kernel(), "clean", m.size())) : null;
            if (clean != null) {
                mix.add(new MixRow(m.kernel(), m.size(), clean.nsPerOp(), m.nsPerOp(), m.nsPerOp() / clean.nsPerOp(),
                        clean.bytesPerOp(), m.bytesPerOp()));
            }
        }
        mix.sort(Comparator.comparing(MixRow::kernel).thenComparing(MixRow::size));
        List<ScalingRow> scaling = scaling(measurements, peers);
        List<DjlRow> djl = djl(measurements, byKey);
        Map<String, Measurement> djlByKey = new HashMap<>();
        measurements.stream().filter(m -> m.impl().equals(DJL)).forEach(m -> djlByKey.put(m.kernel() + "/" + m.size(), m));
        measurements = measurements.stream().filter(m -> !m.impl().equals("clean") && !m.impl().equals("mixed")
                && !m.impl().contains("@") && !m.impl().equals(DJL) && !m.impl().equals(SIMDREG_IN_DJL)).toList();
        peers = peers.stream().filter(m -> !m.impl().contains("@")).toList();
        Map<String, Measurement> peerByKey = new HashMap<>();
        peers.forEach(m -> peerByKey.put(m.kernel() + "/" + m.size(), m));
        List<Row> rows = new ArrayList<>();
        for (Measurement m : measurements) {
            String ceiling = Accounting.ceilingOf(m.kernel());
            Measurement limit = ceiling.equals(m.kernel()) ? null : byKey.get(key(ceiling, "ceiling", m.size()));
            String trafficCeiling = Accounting.trafficCeilingOf(m.kernel());
            Measurement traffic = trafficCeiling == null ? null : byKey.get(key(trafficCeiling, "ceiling", m.size()));
            boolean vector = m.impl().equals("vector");
            Measurement scalar = vector ? byKey.get(key(m.kernel(), "scalar", m.size())) : null;
            Measurement loop = vector ? byKey.get(key(m.kernel(), "loop", m.size())) : null;
            Measurement peer = vector ? peerByKey.get(m.kernel() + "/" + m.size()) : null;
            Measurement inDjl = vector ? djlByKey.get(m.kernel() + "/" + m.size()) : null;
            rows.add(new Row(Accounting.familyOf(m.kernel()), m.kernel(), m.size(), m.impl(), m.elements(), m.nsPerOp(),
                    m.error(), m.nsPerElement(), m.gigabytesPerSecond(),
                    limit == null ? null : m.gigabytesPerSecond() / limit.gigabytesPerSecond(),
                    traffic == null ? null : m.gigabytesPerSecond() / traffic.gigabytesPerSecond(),
                    scalar == null ? null : scalar.nsPerOp() / m.nsPerOp(), loop == null ? null : loop.nsPerOp() / m.nsPerOp(),
                    peer == null ? null : peer.nsPerOp() / m.nsPerOp(), peer == null ? null : peer.impl(),
                    inDjl == null ? null : inDjl.nsPerOp() / m.nsPerOp()));
        }
        for (Measurement peer : peers) {
            Measurement simdreg = byKey.get(key(peer.kernel(), "vector", peer.size()));
            if (simdreg != null) {
                Measurement limit = byKey.get(key(Accounting.ceilingOf(peer.kernel()), "ceiling", peer.size()));
                rows.add(new Row(Accounting.familyOf(peer.kernel()), peer.kernel(), peer.size(), peer.impl(),
                        peer.elements(), peer.nsPerOp(), peer.error(), peer.nsPerElement(), peer.gigabytesPerSecond(),
                        limit == null ? null : peer.gigabytesPerSecond() / limit.gigabytesPerSecond(), null, null, null,
                        null, null, null));
            }
        }
        rows.sort(Comparator.comparing(Row::family).thenComparing(Row::kernel).thenComparingLong(Row::elements)
                .thenComparing(Row::size).thenComparing(Row::impl));
        List<String> notes = new ArrayList<>();
        if (peers.isEmpty()) {
            notes.add("No peer results were given, so there is no PyTorch column: run the benchmark command with "
                    + "-Dbench.peers=pytorch on a machine with Debian's python3-torch.");
        } else {
            long matched = rows.stream().filter(r -> r.peerOverVector() != null).count();  // one per matched peer
            long unmatched = peers.size() - matched;
            if (unmatched > 0) {
                notes.add(unmatched + " peer result(s) had no simdreg measurement of the same kernel and size.");
            }
        }
        return new Report(machine, rows, notes, mix, scaling, djl);
    }

    /** The DJL table: each kernel and size that both simdreg's integration and DJL measured. */
    private static List<DjlRow> djl(List<Measurement> measurements, Map<String, Measurement> byKey) {
        List<DjlRow> rows = new ArrayList<>();
        for (Measurement ours : measurements) {
            Measurement theirs = ours.impl().equals(SIMDREG_IN_DJL) ? byKey.get(key(ours.kernel(), DJL, ours.size()))
                    : null;
            if (theirs != null) {
                rows.add(new DjlRow(ours.kernel(), ours.size(), ours.nsPerOp(), theirs.nsPerOp(),
                        ours.gigabytesPerSecond(), theirs.nsPerOp() / ours.nsPerOp()));
            }
        }
        rows.sort(Comparator.comparing(DjlRow::kernel).thenComparing(r -> JmhJson.elementsOfSize(r.size())));
        return rows;
    }

    /** The rows of the scaling table: kernels measured at {@code vector@1} and {@code vector@all}. */
    private static List<ScalingRow> scaling(List<Measurement> measurements, List<Measurement> peers) {
        Map<String, Measurement> byKey = new HashMap<>();
        measurements.forEach(m -> byKey.put(key(m.kernel(), m.impl(), m.size()), m));
        Map<String, Measurement> pyTorchOne = new HashMap<>();
        Map<String, Measurement> pyTorchDefault = new HashMap<>();
        for (Measurement p : peers) {
            (p.impl().contains("@") ? pyTorchDefault : pyTorchOne).put(p.kernel() + "/" + p.size(), p);
        }
        List<ScalingRow> rows = new ArrayList<>();
        for (Measurement one : measurements) {
            Measurement all = one.impl().equals("vector@1") ? byKey.get(key(one.kernel(), "vector@all", one.size()))
                    : null;
            if (all == null) {
                continue;
            }
            Measurement copy = byKey.get(key("copy", "vector@all", one.size()));
            Measurement torchOne = pyTorchOne.get(one.kernel() + "/" + one.size());
            Measurement torchDefault = pyTorchDefault.get(one.kernel() + "/" + one.size());
            rows.add(new ScalingRow(one.kernel(), one.size(), one.nsPerOp(), all.nsPerOp(), one.nsPerOp() / all.nsPerOp(),
                    all.gigabytesPerSecond(), copy == null ? null : all.gigabytesPerSecond() / copy.gigabytesPerSecond(),
                    torchOne == null ? null : torchOne.nsPerOp(), torchDefault == null ? null : torchDefault.nsPerOp(),
                    torchDefault == null ? null : torchDefault.impl().substring(torchDefault.impl().indexOf('@') + 1),
                    torchDefault == null ? null : torchDefault.nsPerOp() / all.nsPerOp()));
        }
        rows.sort(Comparator.comparing(ScalingRow::kernel).thenComparing(ScalingRow::size));
        return rows;
    }

    private static String key(String kernel, String impl, String size) {
        return kernel + "/" + impl + "/" + size;
    }

    /** The report as Markdown: the machine, notes, and a table per family. */
    public String markdown() {
        StringBuilder out = new StringBuilder("# simdreg benchmark report\n\n");
        out.append(String.format(Locale.ROOT, "- CPU: %s, %d cores available%n- JDK: %s%n- simdreg provider: %s%n- date: %s%n",
                machine.cpu(), machine.cores(), machine.jdk(), machine.provider(), machine.date()));
        out.append("\nGB/s: minimal bytes read and written (every input once, every output once) over time. "
                + "Ceiling: the same run's copy, or in-place scale for in-place kernels, at the same size. "
                + "Traffic ceiling: a loop with the kernel's own reads and writes and nothing else, where those "
                + "differ from a copy's (vectorSum for read-only kernels; momentumStreams, adamStreams with "
                + "AdamW's square root and division). "
                + "× scalar, × loop: the vector provider's speedup over the scalar provider and over a plain Java "
                + "loop on float[]. Errors are JMH's 99.9% intervals.\n");
        for (String note : notes) {
            out.append("\n> ").append(note).append('\n');
        }
        boolean anyPeer = rows.stream().anyMatch(r -> r.peer() != null);
        boolean anyDjl = rows.stream().anyMatch(r -> r.djlOverVector() != null);
        headline(out, anyPeer);
        String family = null;
        for (Row row : rows) {
            if (!row.family().equals(family)) {
                family = row.family();
                out.append("\n## ").append(family).append("\n\n");
                out.append("| kernel | size | impl | ns/op ± error | ns/element | GB/s | % of ceiling | % of traffic ceiling "
                        + "| × scalar | × loop |")
                        .append(anyPeer ? " peer time / simdreg |" : "")
                        .append(anyDjl ? " libtorch 2.7.1 via DJL / simdreg |" : "").append('\n');
                out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|").append(anyPeer ? "---:|" : "")
                        .append(anyDjl ? "---:|" : "").append('\n');
            }
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s ± %s | %.3f | %.1f | %s | %s | %s | %s |",
                    row.kernel(), row.size(), row.impl(), number(row.nsPerOp()), number(row.error()), row.nsPerElement(),
                    row.gigabytesPerSecond(), percent(row.fractionOfCeiling()), percent(row.fractionOfTrafficCeiling()),
                    times(row.vectorOverScalar()), times(row.vectorOverLoop())));
            if (anyPeer) {
                out.append(row.peer() == null ? " |" : " " + times(row.peerOverVector()) + " (" + row.peer() + ") |");
            }
            if (anyDjl) {
                out.append(' ').append(times(row.djlOverVector())).append(" |");
            }
            out.append('\n');
        }
        if (!mix.isEmpty()) {
            out.append("\n## Application conditions\n\nEach kernel on one storage kind, in a fork that ran it only "
                    + "there (clean) and in one that first ran every kernel of the mix on float[], heap segments over "
                    + "float[] and byte[], and native segments aligned and not (mixed). Bytes: heap allocated per "
                    + "call (JMH's GC profiler).\n\n");
            out.append("| kernel | storage, size | clean ns/op | mixed ns/op | mixed / clean | clean B/op | mixed B/op |\n");
            out.append("|---|---|---:|---:|---:|---:|---:|\n");
            for (MixRow row : mix) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.2f | %s | %s |%n", row.kernel(),
                        row.size(), number(row.cleanNs()), number(row.mixedNs()), row.mixedOverClean(),
                        number(row.cleanBytes()), number(row.mixedBytes())));
            }
        }
        if (!scaling.isEmpty()) {
            out.append("\n## Threads\n\nThe main kernels on one thread and on all ").append(machine.cores())
                    .append(" (simdreg's pool; the same bits), and PyTorch on one thread and at its default count in"
                            + " the same run. GB/s and % of copy: on all threads, against the copy split the same way"
                            + " (the machine's bandwidth for one read and one write stream on all cores).\n\n");
            out.append("| kernel | size | 1 thread µs | all µs | speedup | GB/s | % of copy | PyTorch 1 thread µs "
                    + "| PyTorch default µs (threads) | PyTorch default / simdreg all |\n");
            out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (ScalingRow row : scaling) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s |%n",
                        row.kernel(), row.size(), number(row.oneNs() / 1000), number(row.allNs() / 1000),
                        times(row.speedup()), row.allGigabytesPerSecond(), percent(row.fractionOfAllCopy()),
                        row.pyTorchOneNs() == null ? "" : number(row.pyTorchOneNs() / 1000),
                        row.pyTorchDefaultNs() == null ? "" : number(row.pyTorchDefaultNs() / 1000) + " ("
                                + row.pyTorchThreads() + ")", times(row.pyTorchDefaultOverAll())));
            }
        }
        if (!djl.isEmpty()) {
            out.append("\n## Inside DJL\n\nsimdreg's DJL integration (`integrations/djl`) on DJL's own tensors, "
                    + "zero-copy, against DJL's own op on its PyTorch engine (libtorch 2.7.1), in the same JVM, one "
                    + "thread each. Update steps: `SimdregAdamW`/`SimdregSgd` against DJL's `adamW()`/`sgd()` "
                    + "(momentum 0.9) on one parameter, each zeroing its gradient. DJL's dropout and fills return new "
                    + "tensors. At 64 B (16 floats) both times are per-call overhead.\n\n");
            out.append("| kernel | size | simdreg in DJL µs | GB/s | libtorch via DJL µs | libtorch / simdreg |\n");
            out.append("|---|---|---:|---:|---:|---:|\n");
            for (DjlRow row : djl) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %s | %s |%n", row.kernel(), row.size(),
                        micros(row.simdregNs()), row.simdregGigabytesPerSecond(), micros(row.djlNs()),
                        times(row.djlOverSimdreg())));
            }
        }
        return out.toString();
    }

    /** Each kernel of the vector provider at its largest size: the answer to "how does it compare". */
    public List<Row> headline() {
        Map<String, Row> largest = new TreeMap<>();
        for (Row row : rows) {
            if (row.impl().equals("vector")) {
                largest.merge(row.kernel(), row, (a, b) -> b.elements() > a.elements() ? b : a);
            }
        }
        return List.copyOf(largest.values());
    }

    private void headline(StringBuilder out, boolean anyPeer) {
        out.append("\n## Headline\n\nEach kernel of the vector provider at its largest size measured")
                .append(anyPeer ? ", and the peer that measured the same work in the same run" : "")
                .append(".\n\n| kernel | size | simdreg µs | GB/s | % of ceiling |")
                .append(anyPeer ? " peer µs | peer / simdreg |" : "").append('\n')
                .append("|---|---|---:|---:|---:|").append(anyPeer ? "---:|---:|" : "").append('\n');
        for (Row row : headline()) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %s |", row.kernel(), row.size(),
                    number(row.nsPerOp() / 1000), row.gigabytesPerSecond(), percent(row.fractionOfCeiling())));
            if (anyPeer) {
                out.append(row.peer() == null ? " | |" : " " + number(row.nsPerOp() * row.peerOverVector() / 1000)
                        + " (" + row.peer() + ") | " + times(row.peerOverVector()) + " |");
            }
            out.append('\n');
        }
    }

    public String json() {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(this);
    }

    /** Writes report.md, report.json and the charts into dir. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown());
        Files.writeString(dir.resolve("report.json"), json());
        Charts.write(this, dir.resolve("charts"));
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String micros(double ns) {
        return ns < 10_000 ? String.format(Locale.ROOT, "%.2f", ns / 1000) : number(ns / 1000);
    }

    private static String percent(Double fraction) {
        return fraction == null ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
    }

    private static String times(Double ratio) {
        return ratio == null ? "" : String.format(Locale.ROOT, "%.1f×", ratio);
    }
}
