package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.PackagedService;

/**
 * The scale-from-zero path of the packaged service: a burst of 64 concurrent requests the moment readiness turns 200
 * is answered in full (none refused), the cold start's phases are exported on /q/metrics and logged, in order, and
 * the JVM's optimizing compiler, held back during the start, is in use again once ready.
 */
class ColdStartIT {
    private static final Pattern PHASE = Pattern.compile(
            "zeroserve_cold_start_phase_seconds\\{[^}]*phase=\"(\\w+)\"[^}]*} ([0-9.eE+-]+)");
    private static final List<String> IN_ORDER = List.of("onnxruntime_loaded", "session_created", "warmed_up",
            "ready", "first_answer");

    @TempDir
    Path directory;

    @Test
    void aBurstAtReadinessIsAnsweredAndThePhasesAreExported() throws Exception {
        try (PackagedService service = PackagedService.start(directory.resolve("server.log"),
                List.of("quarkus.log.category.\"dev.zeroserve.lifecycle.OptimizingCompilerHold\".level=DEBUG"))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest infer = HttpRequest.newBuilder(service.base().resolve("v2/models/" + BundledModelRequests.MODEL
                    + "/infer")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            BundledModelRequests.json(BundledModelRequests.valuesFor(
                                    BundledModelRequests.tokenIds(16))))).build();
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                burst.add(http.sendAsync(infer, HttpResponse.BodyHandlers.ofString()));
            }
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (CompletableFuture<HttpResponse<String>> answer : burst) {
                statuses.merge(answer.get().statusCode(), 1, Integer::sum);
            }
            assertThat(statuses).as("64 requests at readiness, by status").isEqualTo(Map.of(200, 64));

            String metrics = http.send(HttpRequest.newBuilder(service.base().resolve("q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Map<String, Double> phases = new LinkedHashMap<>();
            Matcher phase = PHASE.matcher(metrics);
            while (phase.find()) {
                phases.put(phase.group(1), Double.parseDouble(phase.group(2)));
            }
            System.out.println("cold start phases (s since the JVM started): " + phases);
            assertThat(phases).containsKeys("quarkus_started", "onnxruntime_loaded", "session_created", "warmed_up",
                    "tokenizer_loaded", "ready", "first_answer");
            for (int i = 1; i < IN_ORDER.size(); i++) {
                assertThat(phases.get(IN_ORDER.get(i))).as(IN_ORDER.get(i) + " after " + IN_ORDER.get(i - 1))
                        .isGreaterThanOrEqualTo(phases.get(IN_ORDER.get(i - 1)));
            }
            assertThat(phases.get("ready")).isGreaterThanOrEqualTo(phases.get("tokenizer_loaded"));
            String log = service.log();
            assertThat(log).contains("Cold start: ready", "Cold start: first answer", "C2 let in");
            assertThat(log.indexOf("C2 let in")).as("C2 let in at readiness, not before")
                    .isGreaterThan(log.indexOf("Cold start: ready"));
            assertThat(service.jcmd("Compiler.directives_print")).as("the directives once ready")
                    .doesNotContain("Exclude:true");
        }
    }
}
