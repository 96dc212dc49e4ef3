package dev.zeroserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.ObservabilityProfile;
import dev.zeroserve.testing.PrometheusServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The Grafana dashboard against a real Prometheus that scrapes this service under a short load (REST, gRPC,
 * embeddings, client errors and a burst that meets refusals) with the labels a GKE scrape adds, beside expositions in
 * the format of Knative's autoscaler and kube-state-metrics: every variable must list values, and every panel query,
 * variables substituted, must return at least one finite sample. A misspelt metric or label fails the build.
 */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
class GrafanaDashboardTest extends GrpcClientTestBase {
    private static final Path DASHBOARD = Path.of("knative/grafana/zeroserve-dashboard.json");
    private static final String NAMESPACE = "zeroserve-test";
    private static final String SERVICE = "zeroserve";
    private static final String POD = "zeroserve-00001-deployment-6c9f7d8b5-x2x7q";
    /**
     * Grafana's $__rate_interval at a 1 s scrape interval is 4 × 1 s; a minute keeps the whole load in it however
     * slowly the machine runs the test.
     */
    private static final String RATE_INTERVAL = "1m";
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)\\}?");

    @TempDir
    Path directory;

    @Test
    void everyPanelQueryReturnsDataFromARealPrometheus() throws Exception {
        HttpServer exporters = fixtureExporters();
        String scrapeConfigs = """
                  - job_name: zeroserve
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ['localhost:%d']
                        labels: {namespace: '%s', service: '%s', pod: '%s'}
                  - job_name: knative-autoscaler
                    honor_labels: true
                    metrics_path: /knative-autoscaler
                    static_configs:
                      - targets: ['localhost:%d']
                        labels: {namespace: knative-serving}
                  - job_name: kube-state-metrics
                    honor_labels: true
                    metrics_path: /kube-state-metrics
                    static_configs:
                      - targets: ['localhost:%d']
                """.formatted(base.getPort(), NAMESPACE, SERVICE, POD, exporters.getAddress().getPort(),
                exporters.getAddress().getPort());
        try (PrometheusServer prometheus = PrometheusServer.start(directory, scrapeConfigs)) {
            // On a busy machine the first scrapes can come late: the load must fall between scrapes to show as rates.
            prometheus.awaitScrape("zeroserve", epochSeconds());
            generateLoad();
            prometheus.awaitScrape("zeroserve", epochSeconds() + 1);
            JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
            Map<String, String> variables = resolveVariables(dashboard, prometheus);
            assertThat(variables).containsEntry("namespace", NAMESPACE).containsEntry("service", SERVICE)
                    .containsEntry("model", BundledModelRequests.MODEL);

            List<String> failures = new ArrayList<>();
            int queries = 0;
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    queries++;
                    String expr = substitute(target.path("expr").asText(), variables);
                    String where = "'" + panel.path("title").asText() + "' " + target.path("refId").asText() + ": "
                            + expr;
                    try {
                        JsonNode result = prometheus.query(expr).path("result");
                        if (!hasFiniteSample(result)) {
                            failures.add(where + " returned " + (result.isEmpty() ? "no series" : result));
                        }
                    } catch (IllegalArgumentException e) {
                        failures.add(where + " was refused: " + e.getMessage());
                    }
                }
            }
            assertThat(queries).as("panel queries").isGreaterThan(30);
            assertThat(failures).as("panel queries without data").isEmpty();
        } finally {
            exporters.stop(0);
        }
    }

    /** REST, gRPC and embeddings successes, client mistakes, and a burst far past the queue (refusals). */
    private void generateLoad() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String infer = "v2/models/" + BundledModelRequests.MODEL + "/infer";
        HttpRequest rest = HttpRequest.newBuilder(base.toURI().resolve(infer)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(BundledModelRequests.json(
                        BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16))))).build();
        HttpRequest embeddings = HttpRequest.newBuilder(base.toURI().resolve("v1/embeddings"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\": \"" + BundledModelRequests.MODEL + "\", \"input\": [\"a first text\", "
                                + "\"and a second, a little longer one\"]}")).build();
        HttpRequest invalid = HttpRequest.newBuilder(base.toURI().resolve(infer)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"inputs\": [{\"name\": 1}]}"))
                .build();
        var grpc = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        // A burst before and after the steady part: the refusals' series then spans several scrapes and rises.
        burst(http, rest);
        for (int round = 0; round < 20; round++) {
            assertThat(http.send(rest, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(http.send(embeddings, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            grpc.modelInfer(BundledModelRequests.grpc(BundledModelRequests.valuesFor(
                    BundledModelRequests.tokenIds(16))));
            if (round % 4 == 0) {
                assertThat(http.send(invalid, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(400);
            }
            Thread.sleep(100);
        }
        burst(http, rest);
    }

    /** 48 requests at once against a queue of a few rows: some are refused. */
    private static void burst(HttpClient http, HttpRequest request) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(48);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                statuses.add(clients.submit(() -> http.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode()));
            }
            int refused = 0;
            for (Future<Integer> status : statuses) {
                refused += status.get() == 503 ? 1 : 0;
            }
            assertThat(refused).as("requests refused by a queue of " + ObservabilityProfile.QUEUE_CAPACITY + " rows")
                    .isPositive();
        } finally {
            clients.shutdown();
        }
    }

    private static double epochSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }

    /** Each query variable's values through Prometheus's label API, in order; the first value is kept. */
    private static Map<String, String> resolveVariables(JsonNode dashboard, PrometheusServer prometheus)
            throws IOException, InterruptedException {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("__rate_interval", RATE_INTERVAL);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String name = variable.path("name").asText();
            if ("datasource".equals(variable.path("type").asText())) {
                continue;
            }
            Matcher query = LABEL_VALUES.matcher(variable.path("query").path("query").asText());
            assertThat(query.matches()).as("variable " + name + " is a label_values query").isTrue();
            JsonNode values = prometheus.labelValues(query.group(2), substitute(query.group(1), variables));
            assertThat(values).as("values of variable " + name).isNotEmpty();
            variables.put(name, values.get(0).asText());
        }
        return variables;
    }

    private static String substitute(String text, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder substituted = new StringBuilder();
        while (matcher.find()) {
            String value = variables.get(matcher.group(1));
            assertThat(value).as("dashboard variable $" + matcher.group(1) + " in " + text).isNotNull();
            matcher.appendReplacement(substituted, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(substituted).toString();
    }

    /** Every panel, those inside rows included. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    private static boolean hasFiniteSample(JsonNode result) {
        for (JsonNode series : result) {
            double value = Double.parseDouble(series.path("value").get(1).asText());
            if (Double.isFinite(value)) {
                return true;
            }
        }
        return false;
    }

    /** The recorded expositions of Knative's autoscaler and kube-state-metrics, on one port. */
    private static HttpServer fixtureExporters() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (String exporter : List.of("knative-autoscaler", "kube-state-metrics")) {
            byte[] body = Files.readAllBytes(Path.of("src/test/resources/grafana/" + exporter + ".prom"));
            server.createContext("/" + exporter, exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
        }
        server.start();
        return server;
    }
}
