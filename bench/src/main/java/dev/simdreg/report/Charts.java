package dev.simdreg.report;

import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One SVG chart per kernel measured over working-set sizes: GB/s against bytes per array on a log
 * scale, a line per implementation, and the kernel's same-run ceiling as a dashed line.
 */
public final class Charts {

    private Charts() {
    }

    /** Writes {@code <kernel>.svg} into dir for every kernel with more than one size; returns the files. */
    public static List<Path> write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, List<Report.Row>> byKernel = new LinkedHashMap<>();
        for (Report.Row row : report.rows()) {
            if (!row.impl().equals("ceiling") && !row.size().contains(":")) {
                byKernel.computeIfAbsent(row.kernel(), k -> new ArrayList<>()).add(row);
            }
        }
        List<Path> files = new ArrayList<>();
        for (var entry : byKernel.entrySet()) {
            String kernel = entry.getKey();
            XYChart chart = new XYChartBuilder().width(640).height(400).title(kernel + " (" + report.machine().provider()
                    + ", " + report.machine().cpu() + ")").xAxisTitle("bytes per array (log scale)").yAxisTitle("GB/s").build();
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
            Map<String, List<Report.Row>> byImpl = new LinkedHashMap<>();
            entry.getValue().forEach(r -> byImpl.computeIfAbsent(r.impl(), k -> new ArrayList<>()).add(r));
            for (var impl : byImpl.entrySet()) {
                addSeries(chart, impl.getKey(), impl.getValue());
            }
            String ceiling = Accounting.ceilingOf(kernel);
            List<Report.Row> limits = report.rows().stream()
                    .filter(r -> r.kernel().equals(ceiling) && r.impl().equals("ceiling") && !r.size().contains(":"))
                    .toList();
            if (!limits.isEmpty()) {
                XYSeries line = addSeries(chart, ceiling + " ceiling", limits);
                line.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            }
            Path file = dir.resolve(kernel + ".svg");
            VectorGraphicsEncoder.saveVectorGraphic(chart, file.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            files.add(file);
        }
        return files;
    }

    private static XYSeries addSeries(XYChart chart, String name, List<Report.Row> rows) {
        List<Report.Row> sorted = rows.stream().sorted(java.util.Comparator.comparingLong(Report.Row::elements)).toList();
        double[] bytes = sorted.stream().mapToDouble(r -> r.elements() * (double) Float.BYTES).toArray();
        double[] gbps = sorted.stream().mapToDouble(Report.Row::gigabytesPerSecond).toArray();
        XYSeries series = chart.addSeries(name, bytes, gbps);
        series.setMarker(SeriesMarkers.CIRCLE);
        return series;
    }
}
