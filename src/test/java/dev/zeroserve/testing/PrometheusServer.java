package dev.zeroserve.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A real Prometheus (Debian's package), started on a free port with the scrape configuration given. */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Process process;
    private final URI base;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** @param scrapeConfigs the YAML list under scrape_configs */
    public static PrometheusServer start(Path directory, String scrapeConfigs) throws IOException,
            InterruptedException {
        Path prometheus = ExternalTools.require("prometheus", "prometheus");
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n"
                + scrapeConfigs);
        int port = FreePort.find();
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(List.of(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port + "/"), log);
        server.awaitReady();
        return server;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus exited: " + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // keep waiting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("Prometheus was not ready within 30 s: " + Files.readString(log));
    }

    /** Waits until the job has been scraped successfully at or after the given wall-clock time (epoch seconds). */
    public void awaitScrape(String job, double epochSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String latest = "max(timestamp(up{job=\"" + job + "\"} == 1))";
        while (System.nanoTime() < deadline) {
            JsonNode result = query(latest).path("result");
            if (!result.isEmpty() && result.get(0).path("value").get(1).asDouble() >= epochSeconds) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no scrape of " + job + " after " + epochSeconds + " within 60 s: "
                + Files.readString(log));
    }

    /** An instant query through the HTTP API: its {@code data} node; fails on an error status. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        return get("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The values of a label across the series that match the selector (Grafana's label_values). */
    public JsonNode labelValues(String label, String selector) throws IOException, InterruptedException {
        return get("api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
    }

    private JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = MAPPER.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException(body.path("errorType").asText() + ": " + body.path("error").asText());
        }
        return body.path("data");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
