package dev.simdreg.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JMH's JSON results, and peers' results written in the same schema ({@code benchmark},
 * {@code params} with {@code impl} and {@code bytes} or {@code shape}, {@code primaryMetric} in ns/op). The
 * application-mix benchmark's runs have {@code jvm} (clean or mixed) for impl and {@code storage} in the size.
 * Runs with a {@code threads} parameter (the scaling benchmarks, and peers at a set thread count) have it after
 * their impl: {@code vector@1}, {@code vector@all}, {@code pytorch@2}.
 */
public final class JmhJson {

    private JmhJson() {
    }

    public static List<Measurement> read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    public static List<Measurement> parse(String json) {
        List<Measurement> measurements = new ArrayList<>();
        for (JsonElement element : JsonParser.parseString(json).getAsJsonArray()) {
            JsonObject run = element.getAsJsonObject();
            String benchmark = run.get("benchmark").getAsString();
            String kernel = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            JsonObject params = run.has("params") ? run.getAsJsonObject("params") : new JsonObject();
            String impl = params.has("impl") ? params.get("impl").getAsString()
                    : params.has("jvm") ? params.get("jvm").getAsString() : "ceiling";
            if (params.has("threads")) {
                impl += "@" + params.get("threads").getAsString();
            }
            String size;
            long elements;
            if (params.has("storage")) {
                long bytes = Long.parseLong(params.get("bytes").getAsString());
                size = params.get("storage").getAsString() + ", " + human(bytes);
                elements = bytes / Float.BYTES;
            } else if (params.has("shape")) {
                size = params.get("shape").getAsString();
                elements = elementsOfShape(size);
            } else if (params.has("bytes")) {
                long bytes = Long.parseLong(params.get("bytes").getAsString());
                size = human(bytes);
                elements = bytes / Float.BYTES;
            } else {
                throw new IllegalArgumentException(benchmark + " has neither a bytes nor a shape parameter");
            }
            JsonObject metric = run.getAsJsonObject("primaryMetric");
            String unit = metric.get("scoreUnit").getAsString();
            if (!unit.equals("ns/op")) {
                throw new IllegalArgumentException(benchmark + ": score in " + unit + ", expected ns/op");
            }
            double error = metric.get("scoreError").isJsonNull() || metric.get("scoreError").getAsString().equals("NaN")
                    ? Double.NaN : metric.get("scoreError").getAsDouble();
            measurements.add(new Measurement(kernel, impl, size, elements, metric.get("score").getAsDouble(), error,
                    bytesPerOp(run)));
        }
        return measurements;
    }

    /** The GC profiler's bytes allocated per call, or NaN when the run had no such profiler. */
    private static double bytesPerOp(JsonObject run) {
        if (run.has("secondaryMetrics")) {
            for (var metric : run.getAsJsonObject("secondaryMetrics").entrySet()) {
                if (metric.getKey().endsWith("gc.alloc.rate.norm")) {
                    return metric.getValue().getAsJsonObject().get("score").getAsDouble();
                }
            }
        }
        return Double.NaN;
    }

    /** The floats of a shape named {@code layout:AxBx...}: the product of its dimensions. */
    static long elementsOfShape(String shape) {
        long elements = 1;
        for (String dimension : shape.substring(shape.indexOf(':') + 1).split("x")) {
            elements = Math.multiplyExact(elements, Long.parseLong(dimension));
        }
        return elements;
    }

    static String human(long bytes) {
        return bytes >= 1 << 20 ? (bytes >> 20) + " MiB" : bytes >= 1 << 10 ? (bytes >> 10) + " KiB" : bytes + " B";
    }

    /** The floats of a size as {@link #human} or a shape names it, for ordering. */
    static long elementsOfSize(String size) {
        if (size.contains(":")) {
            return elementsOfShape(size);
        }
        String[] parts = size.split(" ");
        long unit = switch (parts[parts.length - 1]) {
            case "MiB" -> 1 << 20;
            case "KiB" -> 1 << 10;
            default -> 1;
        };
        return Long.parseLong(parts[parts.length - 2].replaceAll("\\D", "")) * unit / Float.BYTES;
    }
}
