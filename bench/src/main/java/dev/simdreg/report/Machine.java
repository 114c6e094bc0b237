package dev.simdreg.report;

import dev.simdreg.ProviderInfo;
import dev.simdreg.Simdreg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * The machine and JVM a report was measured on.
 *
 * @param cpu      the CPU model
 * @param cores    the cores available to the JVM
 * @param jdk      vendor and version of the JDK
 * @param provider simdreg's provider and vector width in the benchmark JVMs
 * @param date     the day of the run
 */
public record Machine(String cpu, int cores, String jdk, String provider, String date) {

    /** This machine, read now; the provider as this JVM chose it (run it with the benchmarks' flags). */
    public static Machine current() {
        ProviderInfo info = Simdreg.provider();
        return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.vendor") + " " + Runtime.version(),
                info.name() + (info.vectorBits() > 0 ? " " + info.vectorBits() + "-bit" : ""), LocalDate.now().toString());
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // not Linux: fall through to what the JVM knows
        }
        return System.getProperty("os.arch");
    }
}
