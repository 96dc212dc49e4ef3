package dev.zeroserve.tools.plan;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.zeroserve.tools.bench.LoadReport;
import dev.zeroserve.tools.bench.Percentiles;

/**
 * {@code plan measure}: per setting, starts the packaged service fresh, times its cold start (process start →
 * {@code /q/health/ready} answers 200 → the first request answered 200) over several starts, then warms it up and
 * sweeps closed-loop concurrency with {@code wrk} (a C load generator: on a small machine a Java client would take
 * the cores it measures). Against an already running service ({@code --url}) it sweeps only.
 */
final class Measure {
    static final String DEFAULT_PATH = "/v1/embeddings";
    static final String DEFAULT_BODY = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"The quick brown fox jumps over "
            + "the lazy dog near the river bank.\"}";

    /** What to measure and how long. */
    record Job(Path jar, URI url, int port, List<Map<String, String>> settings, List<Integer> concurrencies,
            int cellSeconds, int warmupSeconds, int coldStarts, String path, String body, Path workDirectory) {
    }

    private final Job job;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Measure(Job job) {
        this.job = job;
    }

    static void requireWrk() {
        try {
            Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("plan measure needs wrk on the PATH (Debian: apt-get install wrk)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    Capacity run() throws IOException, InterruptedException {
        requireWrk();
        Files.createDirectories(job.workDirectory());
        Path script = job.workDirectory().resolve("post.lua");
        Files.writeString(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                + "wrk.body = [==[" + job.body() + "]==]\n");
        List<Capacity.Setting> settings = new ArrayList<>();
        for (Map<String, String> properties : job.settings()) {
            String name = properties.isEmpty() ? "defaults" : String.join(" ", properties.entrySet().stream()
                    .map(e -> e.getKey().replaceFirst("^zeroserve\\.", "") + "=" + e.getValue()).toList());
            System.out.println("== setting " + name);
            if (job.url() != null) {
                settings.add(new Capacity.Setting(name, properties, null, sweep(job.url(), script)));
                continue;
            }
            URI url = URI.create("http://localhost:" + job.port());
            List<Double> readies = new ArrayList<>();
            List<Double> answers = new ArrayList<>();
            Process server = null;
            for (int run = 1; run <= job.coldStarts(); run++) {
                if (server != null) {
                    stop(server);
                }
                long start = System.nanoTime();
                server = start(properties, run);
                double[] times = coldStart(server, url, start);
                readies.add(times[0]);
                answers.add(times[1]);
                System.out.printf(Locale.ROOT, "cold start %d: ready after %.0f ms, first answer after %.0f ms%n", run,
                        times[0], times[1]);
            }
            try {
                Capacity.ColdStart coldStart = new Capacity.ColdStart(job.coldStarts(), median(readies),
                        median(answers), List.copyOf(answers));
                settings.add(new Capacity.Setting(name, properties, coldStart, sweep(url, script)));
            } finally {
                stop(server);
            }
        }
        return new Capacity(Instant.now().toString(), machine(), "POST " + job.path() + " " + job.body(), settings);
    }

    private Process start(Map<String, String> properties, int run) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + job.port()));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", job.jar().toString()));
        Path log = job.workDirectory().resolve("server-" + run + ".log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static final List<String> PHASES = List.of("quarkus_started", "onnxruntime_loaded", "session_created",
            "warmed_up", "tokenizer_loaded", "ready", "first_answer");

    /** Milliseconds from {@code startNanos} to readiness and to the first answered request. */
    private double[] coldStart(Process server, URI url, long startNanos) throws IOException, InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(url.resolve("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
        HttpRequest work = HttpRequest.newBuilder(url.resolve(job.path())).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(job.body())).build();
        double readyMs = pollUntilOk(server, ready, startNanos);
        double answerMs = pollUntilOk(server, work, startNanos);
        // Where the time went, from the service's own figures (zeroserve_cold_start_phase_seconds). They count from
        // the JVM's start, ~0.1 s after the process's exec that a waking request waits since, so the plan keeps this
        // client's stopwatch.
        String metrics = http.send(HttpRequest.newBuilder(url.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        StringBuilder phases = new StringBuilder();
        for (String phase : PHASES) {
            double millis = phaseMillis(metrics, phase);
            if (!Double.isNaN(millis)) {
                phases.append(String.format(Locale.ROOT, " %s %.0f", phase, millis));
            }
        }
        if (!phases.isEmpty()) {
            System.out.println("  the service's phases, ms since its JVM started:" + phases);
        }
        return new double[] { readyMs, answerMs };
    }

    /** When a phase of the service's cold start ended, in ms since its process started; NaN if it does not say. */
    static double phaseMillis(String metrics, String phase) {
        Matcher line = Pattern.compile("^zeroserve_cold_start_phase_seconds\\{[^}]*phase=\"" + phase
                + "\"[^}]*} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) * 1000 : Double.NaN;
    }

    private double pollUntilOk(Process server, HttpRequest request, long startNanos)
            throws IOException, InterruptedException {
        long deadline = startNanos + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the service exited with status " + server.exitValue() + " during its "
                        + "cold start; see " + job.workDirectory());
            }
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return (System.nanoTime() - startNanos) / 1e6;
                }
            } catch (ConnectException notListeningYet) {
                // the HTTP server is not up yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(request.uri() + " did not answer 200 within 2 minutes of the start");
    }

    private List<Capacity.Cell> sweep(URI url, Path script) throws IOException, InterruptedException {
        int highest = job.concurrencies().stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (job.warmupSeconds() > 0) {
            System.out.printf(Locale.ROOT, "warm-up: %d s at concurrency %d%n", job.warmupSeconds(), highest);
            wrk(url, script, highest, job.warmupSeconds());
        }
        List<Capacity.Cell> cells = new ArrayList<>();
        for (int concurrency : job.concurrencies()) {
            Capacity.Cell cell = parse(concurrency, wrk(url, script, concurrency, job.cellSeconds()));
            System.out.printf(Locale.ROOT, "c=%-4d %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n", concurrency,
                    cell.requestsPerSecond(), cell.p50Ms(), cell.p99Ms(), cell.errors());
            cells.add(cell);
        }
        return cells;
    }

    private String wrk(URI url, Path script, int concurrency, int seconds) throws IOException, InterruptedException {
        Process wrk = new ProcessBuilder("wrk", "-t1", "-c" + concurrency, "-d" + seconds + "s", "--latency",
                "--timeout", "30s", "-s", script.toString(), url.resolve(job.path()).toString())
                .redirectErrorStream(true).start();
        String output = new String(wrk.getInputStream().readAllBytes());
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed at concurrency " + concurrency + ":\n" + output);
        }
        return output;
    }

    /** A cell from wrk's report with {@code --latency}. */
    static Capacity.Cell parse(int concurrency, String wrkOutput) {
        LoadReport report = LoadReport.wrk(wrkOutput);
        return new Capacity.Cell(concurrency, report.requestsPerSecond(), report.p50Ms(), report.p99Ms(),
                report.errors());
    }

    private static void stop(Process server) throws InterruptedException {
        server.destroy();
        if (!server.waitFor(40, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor();
        }
    }

    private static double median(List<Double> values) {
        return Percentiles.of(values.stream().mapToDouble(Double::doubleValue).toArray(), 50);
    }

    private static String machine() {
        return String.format(Locale.ROOT, "%d cores, %s %s, Java %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    }
}
