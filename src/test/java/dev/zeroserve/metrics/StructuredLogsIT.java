package dev.zeroserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.PackagedService;

/**
 * The packaged service as the manifests run it (JSON logs on) with the access log on: every line it writes is one
 * JSON object Cloud Logging reads (severity, timestamp, message), and each HTTP request gets an access line with its
 * method, path, status and duration.
 */
class StructuredLogsIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path logs;

    @Test
    void everyLineIsJsonWithASeverityAndRequestsAreLogged() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (PackagedService service = PackagedService.start(logs.resolve("server.log"),
                List.of("quarkus.log.console.json.enabled=true", "quarkus.http.access-log.enabled=true"))) {
            HttpClient http = HttpClient.newHttpClient();
            String infer = "v2/models/" + BundledModelRequests.MODEL + "/infer";
            assertThat(http.send(HttpRequest.newBuilder(service.base().resolve(infer + "?debug=secret"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            BundledModelRequests.json(BundledModelRequests.valuesFor(
                                    BundledModelRequests.tokenIds(4))))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(service.base().resolve(infer)).header("Content-Type",
                    "application/json").POST(HttpRequest.BodyPublishers.ofString("{")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(400);
            service.terminate();
            assertThat(service.awaitExit(Duration.ofSeconds(30))).isTrue();
            for (String line : service.log().split("\n")) {
                if (!line.isBlank()) {
                    lines.add(MAPPER.readTree(line)); // fails on any line that is not JSON
                }
            }
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            // Quarkus's gcp format writes JBoss's level names; WARN is one of the aliases Cloud Logging's agent maps.
            assertThat(line.path("severity").asText()).isIn("DEBUG", "INFO", "WARN", "ERROR");
            assertThat(line.path("timestamp").asText()).isNotEmpty();
            assertThat(line.has("message")).isTrue();
        });
        assertThat(lines).anySatisfy(line -> assertThat(line.path("message").asText()).contains("is ready on cpu"));
        List<String> access = lines.stream().map(line -> line.path("message").asText())
                .filter(message -> message.startsWith("POST /v2/")).toList();
        assertThat(access).hasSize(2);
        assertThat(access.get(0)).matches("POST /v2/models/" + BundledModelRequests.MODEL
                + "/infer 200 \\d+ ms").as("the query string is left out");
        assertThat(access.get(1)).matches("POST /v2/models/" + BundledModelRequests.MODEL
                + "/infer 400 \\d+ ms");
    }
}
