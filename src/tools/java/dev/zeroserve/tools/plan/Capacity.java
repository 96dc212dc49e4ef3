package dev.zeroserve.tools.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What {@code plan measure} found a pod sustains: per setting of the service (its {@code zeroserve.*} keys), the
 * cold start and a closed-loop concurrency sweep. The capacity file is this record as JSON.
 */
record Capacity(String measuredAt, String machine, String workload, List<Setting> settings) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    Capacity {
        if (settings == null || settings.isEmpty()) {
            throw new IllegalArgumentException("a capacity file needs at least one setting");
        }
        settings = List.copyOf(settings);
    }

    /** One configuration of the service, started fresh: its cold start and its sweep. */
    record Setting(String name, Map<String, String> properties, ColdStart coldStart, List<Cell> cells) {
        Setting {
            if (cells == null || cells.isEmpty()) {
                throw new IllegalArgumentException("setting " + name + " has no measured cells");
            }
            properties = properties == null ? Map.of() : Map.copyOf(properties);
            cells = cells.stream().sorted(Comparator.comparingInt(Cell::concurrency)).toList();
        }

        /**
         * Requests per second a pod completes with {@code inFlight} requests in it: linear between measured
         * concurrencies, the first cell's per-request rate below it, flat past the last.
         */
        double throughputAt(double inFlight) {
            Cell first = cells.get(0);
            if (inFlight <= first.concurrency()) {
                return first.requestsPerSecond() * inFlight / first.concurrency();
            }
            for (int i = 1; i < cells.size(); i++) {
                Cell below = cells.get(i - 1);
                Cell above = cells.get(i);
                if (inFlight <= above.concurrency()) {
                    double fraction = (inFlight - below.concurrency()) / (above.concurrency() - below.concurrency());
                    return below.requestsPerSecond() + fraction * (above.requestsPerSecond() - below.requestsPerSecond());
                }
            }
            return cells.get(cells.size() - 1).requestsPerSecond();
        }

        /** Spread of one request's service time, from the lowest concurrency's p99 / p50 (see ClusterSimulator). */
        double serviceTimeSpread() {
            Cell first = cells.get(0);
            return first.p50Ms() > 0 ? Math.max(1, first.p99Ms() / first.p50Ms()) : 1;
        }
    }

    /** Process start → readiness → first answer, medians over {@code runs}, with every run's first answer. */
    record ColdStart(int runs, double readyMs, double firstAnswerMs, List<Double> firstAnswerRunsMs) {
    }

    /** One closed-loop cell: {@code concurrency} connections, each sending its next request on the last answer. */
    record Cell(int concurrency, double requestsPerSecond, double p50Ms, double p99Ms, long errors) {
    }

    Setting setting(String name) {
        return settings.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting named '" + name + "' in the capacity "
                        + "file; it has " + settings.stream().map(Setting::name).toList()));
    }

    static Capacity read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("capacity file " + file + " does not exist (write one with plan measure)");
        }
        try {
            return JSON.readValue(file.toFile(), Capacity.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("capacity file " + file + " is not a capacity file: " + e.getMessage(), e);
        }
    }

    void write(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        JSON.writeValue(file.toFile(), this);
    }
}
