package dev.zeroserve.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * {@code process_resident_memory_bytes}, the name Prometheus's own clients give it: what the kernel counts against
 * the pod's memory limit — JVM heap plus ONNX Runtime's and the tokenizer's native memory, which no JVM meter sees.
 */
@Singleton
public class ResidentMemory implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory", ResidentMemory::bytes).baseUnit("bytes")
                    .description("Resident set size of the process (Linux VmRSS)").register(registry);
        }
    }

    static double bytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Reported as a gap in the series.
        }
        return Double.NaN;
    }
}
