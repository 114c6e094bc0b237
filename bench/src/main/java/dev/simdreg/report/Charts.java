package dev.simdreg.report;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * SVG charts of the kernels measured over working-set sizes, GB/s against bytes per array on a log
 * scale: one per kernel family (a line per kernel on the vector provider, and the family's same-run
 * ceilings dashed) and one per kernel (a line per implementation, peers included, and its ceiling).
 */
public final class Charts {

    private Charts() {
    }

    /**
     * Writes {@code family-<family>.svg} and {@code <kernel>.svg} into dir: line charts over sizes, or bar
     * charts by shape for the kernels measured on shapes (batch norm, images); returns the files.
     */
    public static List<Path> write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = writeByShape(report, dir);
        Map<String, List<Report.Row>> byKernel = new LinkedHashMap<>();
        for (Report.Row row : report.rows()) {
            if (!row.impl().equals("ceiling") && !row.size().contains(":")) {
                byKernel.computeIfAbsent(row.kernel(), k -> new ArrayList<>()).add(row);
            }
        }
        Map<String, List<Report.Row>> vectorByFamily = new LinkedHashMap<>();
        byKernel.values().forEach(rows -> rows.stream().filter(r -> r.impl().equals("vector"))
                .forEach(r -> vectorByFamily.computeIfAbsent(r.family(), f -> new ArrayList<>()).add(r)));
        for (var family : vectorByFamily.entrySet()) {
            XYChart chart = chart(family.getKey() + ", vector provider", report);
            Map<String, List<Report.Row>> byKernelInFamily = new LinkedHashMap<>();
            family.getValue().forEach(r -> byKernelInFamily.computeIfAbsent(r.kernel(), k -> new ArrayList<>()).add(r));
            byKernelInFamily.forEach((kernel, rows) -> addSeries(chart, kernel, rows));
            byKernelInFamily.keySet().stream().map(Accounting::ceilingOf).distinct()
                    .forEach(ceiling -> addCeiling(chart, report, ceiling));
            files.add(save(chart, dir.resolve("family-" + family.getKey().replace(' ', '-') + ".svg")));
        }
        for (var entry : byKernel.entrySet()) {
            String kernel = entry.getKey();
            XYChart chart = chart(kernel, report);
            Map<String, List<Report.Row>> byImpl = new LinkedHashMap<>();
            entry.getValue().forEach(r -> byImpl.computeIfAbsent(r.impl(), k -> new ArrayList<>()).add(r));
            byImpl.forEach((impl, rows) -> addSeries(chart, impl, rows));
            addCeiling(chart, report, Accounting.ceilingOf(kernel));
            String traffic = Accounting.trafficCeilingOf(kernel);
            if (traffic != null) {
                addCeiling(chart, report, traffic);
            }
            files.add(save(chart, dir.resolve(kernel + ".svg")));
        }
        return files;
    }

    /**
     * The kernels measured on shapes: per family, GB/s of each kernel of the vector provider by shape (the
     * shapes all its kernels share); per kernel, GB/s of each implementation by shape (those all share).
     */
    private static List<Path> writeByShape(Report report, Path dir) throws IOException {
        Map<String, Map<String, List<Report.Row>>> byFamilyAndKernel = new TreeMap<>();
        for (Report.Row row : report.rows()) {
            if (!row.impl().equals("ceiling") && row.size().contains(":")) {
                byFamilyAndKernel.computeIfAbsent(row.family(), f -> new TreeMap<>())
                        .computeIfAbsent(row.kernel(), k -> new ArrayList<>()).add(row);
            }
        }
        List<Path> files = new ArrayList<>();
        for (var family : byFamilyAndKernel.entrySet()) {
            Map<String, List<Report.Row>> vectorByKernel = new TreeMap<>();
            family.getValue().forEach((kernel, rows) -> vectorByKernel.put(kernel,
                    rows.stream().filter(r -> r.impl().equals("vector")).toList()));
            files.add(bars(family.getKey() + ", vector provider", report, vectorByKernel,
                    dir.resolve("family-" + family.getKey().replace(' ', '-') + ".svg")));
            for (var kernel : family.getValue().entrySet()) {
                Map<String, List<Report.Row>> byImpl = new TreeMap<>();
                kernel.getValue().forEach(r -> byImpl.computeIfAbsent(r.impl(), i -> new ArrayList<>()).add(r));
                files.add(bars(kernel.getKey(), report, byImpl, dir.resolve(kernel.getKey() + ".svg")));
            }
        }
        return files;
    }

    /** A bar chart of GB/s by shape, a bar per series, over the shapes every series has. */
    private static Path bars(String title, Report report, Map<String, List<Report.Row>> series, Path file)
            throws IOException {
        Set<String> shapes = null;
        for (List<Report.Row> rows : series.values()) {
            Set<String> these = new TreeSet<>(rows.stream().map(Report.Row::size).toList());
            if (shapes == null) {
                shapes = these;
            } else {
                shapes.retainAll(these);
            }
        }
        CategoryChart chart = new CategoryChartBuilder().width(800).height(400).title(title + " ("
                + report.machine().provider() + ", " + report.machine().cpu() + ")").xAxisTitle("shape")
                .yAxisTitle("GB/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(20);
        List<String> categories = List.copyOf(shapes == null ? Set.of() : shapes);
        if (!categories.isEmpty()) {
            for (var entry : series.entrySet()) {
                Map<String, Double> bySize = new HashMap<>();
                entry.getValue().forEach(r -> bySize.put(r.size(), r.gigabytesPerSecond()));
                chart.addSeries(entry.getKey(), categories, categories.stream().map(bySize::get).toList());
            }
        }
        return save(chart, file);
    }

    private static XYChart chart(String title, Report report) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title + " (" + report.machine().provider()
                + ", " + report.machine().cpu() + ")").xAxisTitle("bytes per array (log scale)").yAxisTitle("GB/s")
                .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    /** The same-run ceiling of that name, dashed, where the report has it over sizes. */
    private static void addCeiling(XYChart chart, Report report, String ceiling) {
        List<Report.Row> limits = report.rows().stream()
                .filter(r -> r.kernel().equals(ceiling) && r.impl().equals("ceiling") && !r.size().contains(":"))
                .toList();
        if (!limits.isEmpty()) {
            addSeries(chart, ceiling + " ceiling", limits).setLineStyle(SeriesLines.DASH_DASH);
        }
    }

    private static Path save(Chart<?, ?> chart, Path file) throws IOException {
        VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return file;
    }

    private static XYSeries addSeries(XYChart chart, String name, List<Report.Row> rows) {
        List<Report.Row> sorted = rows.stream().sorted(Comparator.comparingLong(Report.Row::elements)).toList();
        double[] bytes = sorted.stream().mapToDouble(r -> r.elements() * (double) Float.BYTES).toArray();
        double[] gbps = sorted.stream().mapToDouble(Report.Row::gigabytesPerSecond).toArray();
        XYSeries series = chart.addSeries(name, bytes, gbps);
        series.setMarker(SeriesMarkers.CIRCLE);
        return series;
    }
}
