package dev.zeroserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.zeroserve.model.ZeroserveConfig;
import dev.zeroserve.testing.TestConfig;

/**
 * Reads the manifests the build generated — the CPU ones from this build's {@code target/kubernetes}, the GPU ones
 * from a {@code -Pgpu} build of a copy of the project — and checks them against the Knative CRD schema and the rules
 * Knative's webhook and this service's own configuration impose.
 */
class ManifestsIT {
    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final String H2C = "h2c";
    private static final int HTTP_PORT = 8080;

    @TempDir
    static Path gpuProject;

    private static List<JsonNode> cpuKnative;
    private static List<JsonNode> cpuKubernetes;
    private static List<JsonNode> gpuKnative;
    private static List<JsonNode> gpuKubernetes;

    @BeforeAll
    static void readManifests() throws Exception {
        Path cpu = PROJECT.resolve("target/kubernetes");
        cpuKnative = FinishManifests.read(cpu.resolve("knative.yml"));
        cpuKubernetes = FinishManifests.read(cpu.resolve("kubernetes.yml"));
        Path gpu = buildGpuVariant();
        gpuKnative = FinishManifests.read(gpu.resolve("knative.yml"));
        gpuKubernetes = FinishManifests.read(gpu.resolve("kubernetes.yml"));
    }

    /**
     * The gpu profile exactly as a user runs it, except that the ONNX Runtime jar stays the CPU one: the manifests do
     * not depend on it, and the GPU jar is 640 MB.
     */
    private static Path buildGpuVariant() throws IOException, InterruptedException {
        for (String entry : List.of("pom.xml", "mvnw", ".mvn", "src")) {
            copyTree(PROJECT.resolve(entry), gpuProject.resolve(entry));
        }
        Process build = new ProcessBuilder(List.of("./mvnw", "-B", "-q", "-o", "-Dzeroserve.sbom=false", "-Pgpu",
                "-Donnxruntime.artifact=onnxruntime", "-DskipTests", "package"))
                .directory(gpuProject.toFile())
                .redirectErrorStream(true)
                .redirectOutput(gpuProject.resolve("build.log").toFile())
                .start();
        assertThat(build.waitFor(15, TimeUnit.MINUTES)).as("GPU build finished").isTrue();
        assertThat(build.exitValue()).as("GPU build:\n%s", Files.readString(gpuProject.resolve("build.log")))
                .isZero();
        return gpuProject.resolve("target/kubernetes");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    @Test
    void knativeServicesAreValidAgainstTheCrdSchema() throws IOException {
        KnativeSchema schema = KnativeSchema.load();
        assertThat(schema.validate(knativeService(cpuKnative))).isEmpty();
        assertThat(schema.validate(knativeService(gpuKnative))).isEmpty();
    }

    @Test
    void schemaCheckCatchesWhatTheApiServerRejects() throws IOException {
        KnativeSchema schema = KnativeSchema.load();
        JsonNode service = knativeService(cpuKnative).deepCopy();
        ((ObjectNode) service.path("spec").path("template").path("metadata")
                .path("annotations")).put("autoscaling.knative.dev/max-scale", 10);
        ((ObjectNode) container(service)).putObject("lifecycle");
        assertThat(schema.validate(service)).hasSize(2);
    }

    @Test
    void knativeServiceExposesExactlyOnePortNamedH2c() {
        for (List<JsonNode> manifests : List.of(cpuKnative, gpuKnative)) {
            JsonNode containers = FinishManifests.containers(knativeService(manifests));
            List<JsonNode> ports = new ArrayList<>();
            containers.forEach(container -> container.path("ports").forEach(ports::add));
            assertThat(ports).hasSize(1);
            assertThat(ports.get(0).path("name").asText()).isEqualTo(H2C);
            assertThat(ports.get(0).path("containerPort").asInt()).isEqualTo(HTTP_PORT);
        }
    }

    @Test
    void knativeScalesToZeroOnConcurrencyDerivedFromAdmittedParallelism() {
        ZeroserveConfig.Batching batching = TestConfig.with(Map.of()).batching();
        int executing = batching.parallelBatches().orElse(1) * batching.maxBatchSize();
        int admitted = executing + batching.queueCapacity();
        for (List<JsonNode> manifests : List.of(cpuKnative, gpuKnative)) {
            JsonNode template = knativeService(manifests).path("spec").path("template");
            JsonNode annotations = template.path("metadata").path("annotations");
            assertThat(annotations.path("autoscaling.knative.dev/min-scale").textValue()).isEqualTo("0");
            assertThat(Integer.parseInt(annotations.path("autoscaling.knative.dev/max-scale").textValue()))
                    .isBetween(1, 100);
            assertThat(annotations.path("autoscaling.knative.dev/class").textValue())
                    .isEqualTo("kpa.autoscaling.knative.dev");
            assertThat(annotations.path("autoscaling.knative.dev/metric").textValue()).isEqualTo("concurrency");
            assertThat(annotations.path("autoscaling.knative.dev/target").textValue())
                    .isEqualTo(Integer.toString(executing));
            assertThat(template.path("spec").path("containerConcurrency").asInt()).isEqualTo(admitted);
        }
        assertThat(maxScale(gpuKnative)).isLessThanOrEqualTo(maxScale(cpuKnative));
    }

    @Test
    void knativeProbesFollowModelReadinessWithoutDelayingColdStart() {
        for (List<JsonNode> manifests : List.of(cpuKnative, gpuKnative)) {
            JsonNode container = container(knativeService(manifests));
            JsonNode readiness = container.path("readinessProbe");
            assertThat(readiness.path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
            assertThat(readiness.path("initialDelaySeconds").asInt(0)).isZero();
            // Aggressive probing: the webhook rejects a timeout or failure threshold beside periodSeconds 0.
            assertThat(readiness.path("periodSeconds").asInt(0)).isZero();
            assertThat(readiness.path("timeoutSeconds").asInt(0)).isZero();
            assertThat(readiness.path("failureThreshold").asInt(0)).isZero();
            JsonNode liveness = container.path("livenessProbe");
            assertThat(liveness.path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
            assertThat(liveness.path("periodSeconds").asInt()).isPositive();
            assertThat(liveness.path("timeoutSeconds").asInt()).isPositive();
            for (JsonNode probe : List.of(readiness, liveness)) {
                JsonNode port = probe.path("httpGet").path("port");
                assertThat(port.isMissingNode() || port.asInt() == HTTP_PORT || H2C.equals(port.asText()))
                        .as("probe port %s", port).isTrue();
            }
        }
    }

    @Test
    void knativeRequestTimeoutSuitsInferenceAndOutlastsTheDrain() {
        long drainSeconds = drainTimeout().toSeconds();
        for (List<JsonNode> manifests : List.of(cpuKnative, gpuKnative)) {
            JsonNode spec = knativeService(manifests).path("spec").path("template").path("spec");
            // Also the pod's termination grace period; Knative's default maximum is 600.
            assertThat(spec.path("timeoutSeconds").asInt()).isGreaterThan((int) drainSeconds).isLessThanOrEqualTo(600);
            assertThat(spec.has("terminationGracePeriodSeconds")).isFalse();
            assertThat(container(knativeService(manifests)).has("lifecycle")).isFalse();
        }
    }

    @Test
    void podsCarryPrometheusScrapeAnnotations() {
        List<JsonNode> templates = List.of(knativeService(cpuKnative).path("spec").path("template"),
                knativeService(gpuKnative).path("spec").path("template"),
                deployment(cpuKubernetes).path("spec").path("template"));
        for (JsonNode template : templates) {
            JsonNode annotations = template.path("metadata").path("annotations");
            assertThat(annotations.path("prometheus.io/scrape").textValue()).isEqualTo("true");
            assertThat(annotations.path("prometheus.io/path").textValue()).isEqualTo("/q/metrics");
            assertThat(annotations.path("prometheus.io/port").textValue()).isEqualTo(Integer.toString(HTTP_PORT));
        }
    }

    @Test
    void podsLogJsonLinesForCloudLogging() {
        for (JsonNode workload : List.of(knativeService(cpuKnative), knativeService(gpuKnative),
                deployment(cpuKubernetes), deployment(gpuKubernetes))) {
            assertThat(env(FinishManifests.containers(workload).get(0), "QUARKUS_LOG_CONSOLE_JSON_ENABLED"))
                    .isEqualTo("true");
        }
    }

    @Test
    void gpuVariantAsksForOneGpuOnGkeAcceleratorNodes() {
        for (JsonNode workload : List.of(knativeService(gpuKnative), deployment(gpuKubernetes))) {
            JsonNode podSpec = workload.path("spec").path("template").path("spec");
            JsonNode container = FinishManifests.containers(workload).get(0);
            assertThat(container.path("resources").path("limits").path(FinishManifests.GPU_RESOURCE).textValue())
                    .isEqualTo("1");
            assertThat(podSpec.path("nodeSelector").path(FinishManifests.GKE_ACCELERATOR).textValue())
                    .isEqualTo("nvidia-l4");
            assertThat(env(container, "ZEROSERVE_ENGINE_EXECUTION_PROVIDERS")).isEqualTo("cuda,cpu");
            assertThat(container.path("image").asText()).endsWith("-gpu");
        }
    }

    @Test
    void cpuVariantAsksForNoGpu() {
        for (JsonNode workload : List.of(knativeService(cpuKnative), deployment(cpuKubernetes))) {
            JsonNode container = FinishManifests.containers(workload).get(0);
            assertThat(container.path("resources").path("limits").has(FinishManifests.GPU_RESOURCE)).isFalse();
            assertThat(workload.path("spec").path("template").path("spec").has("nodeSelector")).isFalse();
            assertThat(env(container, "ZEROSERVE_ENGINE_EXECUTION_PROVIDERS")).isNull();
            assertThat(container.path("image").asText()).endsWith("-cpu");
        }
    }

    @Test
    void kubernetesDeploymentScalesWithAnHpaOnInFlightRequests() {
        for (List<JsonNode> manifests : List.of(cpuKubernetes, gpuKubernetes)) {
            JsonNode deployment = deployment(manifests);
            JsonNode hpa = ofKind(manifests, "HorizontalPodAutoscaler");
            assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
            assertThat(hpa.path("spec").path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
            assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText())
                    .isEqualTo(deployment.path("metadata").path("name").asText());
            assertThat(hpa.path("spec").path("minReplicas").asInt()).isPositive();
            assertThat(hpa.path("spec").path("maxReplicas").asInt())
                    .isGreaterThanOrEqualTo(hpa.path("spec").path("minReplicas").asInt());
            JsonNode metric = hpa.path("spec").path("metrics").get(0);
            assertThat(metric.path("type").asText()).isEqualTo("Pods");
            // The Prometheus name of the gauge InferenceMetrics registers as zeroserve.inflight.requests.
            assertThat(metric.path("pods").path("metric").path("name").asText())
                    .isEqualTo("zeroserve_inflight_requests");
            assertThat(metric.path("pods").path("target").path("type").asText()).isEqualTo("AverageValue");
            assertThat(Double.parseDouble(metric.path("pods").path("target").path("averageValue").asText()))
                    .isPositive();
            assertThat(ofKind(manifests, "Service").path("spec").path("ports").get(0).path("targetPort").asInt())
                    .isEqualTo(HTTP_PORT);
        }
    }

    @Test
    void kubernetesProbesAndShutdownAllowTheDrain() {
        for (List<JsonNode> manifests : List.of(cpuKubernetes, gpuKubernetes)) {
            JsonNode deployment = deployment(manifests);
            JsonNode container = FinishManifests.containers(deployment).get(0);
            assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
                    .isEqualTo("/q/health/ready");
            assertThat(container.path("readinessProbe").path("initialDelaySeconds").asInt()).isZero();
            assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
                    .isEqualTo("/q/health/live");
            assertThat(container.path("startupProbe").path("httpGet").path("path").asText())
                    .isEqualTo("/q/health/started");
            int preStopSleep = container.path("lifecycle").path("preStop").path("sleep").path("seconds").asInt();
            assertThat(deployment.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds")
                    .asInt()).isGreaterThan(preStopSleep + (int) drainTimeout().toSeconds());
        }
    }

    private static Duration drainTimeout() {
        return TestConfig.with(Map.of()).drain().timeout();
    }

    private static int maxScale(List<JsonNode> manifests) {
        return Integer.parseInt(knativeService(manifests).path("spec").path("template").path("metadata")
                .path("annotations").path("autoscaling.knative.dev/max-scale").textValue());
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (name.equals(variable.path("name").asText())) {
                return variable.path("value").asText();
            }
        }
        return null;
    }

    private static JsonNode knativeService(List<JsonNode> manifests) {
        JsonNode service = ofKind(manifests, "Service");
        assertThat(service.path("apiVersion").asText()).isEqualTo("serving.knative.dev/v1");
        return service;
    }

    private static JsonNode deployment(List<JsonNode> manifests) {
        return ofKind(manifests, "Deployment");
    }

    private static JsonNode container(JsonNode workload) {
        JsonNode containers = FinishManifests.containers(workload);
        assertThat(containers.size()).isEqualTo(1);
        return containers.get(0);
    }

    private static JsonNode ofKind(List<JsonNode> manifests, String kind) {
        List<JsonNode> found = manifests.stream().filter(resource -> kind.equals(resource.path("kind").asText()))
                .toList();
        assertThat(found).as("%s resources", kind).hasSize(1);
        return found.get(0);
    }
}
