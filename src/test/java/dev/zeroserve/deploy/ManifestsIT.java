package dev.zeroserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.testing.TestConfig;
import dev.zeroserve.tools.manifests.FinishManifests;

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
        Process build = new ProcessBuilder(List.of("./mvnw", "-B", "-q", "-o", "-Dsbom=false", "-Pgpu",
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

    /**
     * The Job that fills the TensorRT engine cache runs what the GPU Service runs (image, GPU, node pool), only
     * preparing, with the cache writable; and it may run where the Service may.
     */
    @Test
    void tensorrtCacheJobPreparesWithTheGpuServicesImageOnItsNodes() throws IOException {
        JsonNode job = FinishManifests.read(PROJECT.resolve("knative/tensorrt-cache/job.yaml")).get(0);
        assertThat(job.path("kind").asText()).isEqualTo("Job");
        JsonNode service = knativeService(gpuKnative);
        JsonNode container = container(job);
        assertThat(container.path("image").asText()).isEqualTo(container(service).path("image").asText());
        assertThat(job.path("spec").path("template").path("spec").path("nodeSelector"))
                .isEqualTo(service.path("spec").path("template").path("spec").path("nodeSelector"));
        assertThat(container.path("resources").path("limits").path(FinishManifests.GPU_RESOURCE).asText())
                .isEqualTo("1");
        assertThat(env(container, "ZEROSERVE_WARMUP_EXIT_WHEN_READY")).isEqualTo("true");
        assertThat(env(container, "ZEROSERVE_ENGINE_EXECUTION_PROVIDERS")).startsWith("tensorrt,");
        String cacheDir = env(container, "ZEROSERVE_ENGINE_TENSORRT_CACHE_DIR");
        assertThat(container.path("volumeMounts")).anySatisfy(mount -> {
            assertThat(mount.path("mountPath").asText()).isEqualTo(cacheDir);
            assertThat(mount.path("readOnly").asBoolean()).as("cache mount writable").isFalse();
        });
        assertThat(RestrictedProfile.check(job.path("spec").path("template"))).as("Pod Security restricted")
                .isEmpty();
        assertThat(modelSettingsFile("knative/tensorrt-cache")).as("the Job reads the Service's model settings")
                .isEqualTo(modelSettingsFile("knative/gcsfuse"));
        assertThat(container.path("envFrom").get(0).path("configMapRef").path("name").asText())
                .as("the generated ConfigMap, whose hashed name kustomize writes into the Job")
                .isEqualTo("zeroserve-model");
    }

    private static Path modelSettingsFile(String overlay) throws IOException {
        JsonNode kustomization = FinishManifests.read(PROJECT.resolve(overlay).resolve("kustomization.yaml")).get(0);
        JsonNode generator = kustomization.path("configMapGenerator").get(0);
        assertThat(generator.path("name").asText()).isEqualTo("zeroserve-model");
        return PROJECT.resolve(overlay).resolve(generator.path("envs").get(0).asText()).normalize();
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

    @Test
    void everyGeneratedPodPassesPodSecurityRestricted() {
        podTemplates().forEach((name, template) -> assertThat(RestrictedProfile.check(template))
                .as("%s: Pod Security restricted", name).isEmpty());
    }

    @Test
    void restrictedCheckReportsACopyWithViolationsUnderTheirRules() {
        JsonNode knative = knativeService(cpuKnative).path("spec").path("template").deepCopy();
        ((ObjectNode) knative.path("spec").path("containers").get(0).path("securityContext"))
                .remove("allowPrivilegeEscalation");
        ((ArrayNode) knative.path("spec").path("volumes")).addObject().put("name", "host").putObject("hostPath")
                .put("path", "/var/run");
        assertThat(RestrictedProfile.check(knative)).extracting(RestrictedProfile.Violation::rule)
                .containsExactlyInAnyOrder("HostPath Volumes (baseline)", "Volume Types (restricted)",
                        "Privilege Escalation (restricted)");
        JsonNode deployment = deployment(gpuKubernetes).path("spec").path("template").deepCopy();
        ((ObjectNode) deployment.path("spec")).put("hostNetwork", true);
        ((ObjectNode) deployment.path("spec").path("containers").get(0).path("securityContext")).put("runAsUser", 0)
                .withArray("/capabilities/add").add("SYS_ADMIN");
        List<RestrictedProfile.Violation> violations = RestrictedProfile.check(deployment);
        assertThat(violations).extracting(RestrictedProfile.Violation::rule).containsExactlyInAnyOrder(
                "Host Namespaces (baseline)", "Capabilities (baseline)", "Running as Non-root user (restricted)",
                "Capabilities (restricted)");
        assertThat(violations).extracting(RestrictedProfile.Violation::toString).contains(
                "Running as Non-root user (restricted): spec.containers[0](zeroserve).securityContext.runAsUser "
                        + "must be undefined or non-zero, is 0");
    }

    @Test
    void podsRunOnAReadOnlyRootWithAnEmptyDirAtTmp() {
        podTemplates().forEach((name, template) -> {
            JsonNode spec = template.path("spec");
            JsonNode container = spec.path("containers").get(0);
            JsonNode securityContext = container.path("securityContext");
            assertThat(securityContext.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
            // The images' user: its home and everything it writes are under /tmp.
            assertThat(securityContext.path("runAsUser").asInt()).as(name).isEqualTo(185);
            assertThat(spec.path("automountServiceAccountToken").isBoolean()
                    && !spec.path("automountServiceAccountToken").asBoolean()).as(name).isTrue();
            List<JsonNode> tmpMounts = new ArrayList<>();
            container.path("volumeMounts").forEach(mount -> {
                if (mount.path("mountPath").asText().equals("/tmp")) {
                    tmpMounts.add(mount);
                }
            });
            assertThat(tmpMounts).as(name).hasSize(1);
            assertThat(tmpMounts.get(0).path("readOnly").asBoolean(false)).as(name).isFalse();
            JsonNode tmp = null;
            for (JsonNode volume : spec.path("volumes")) {
                if (volume.path("name").asText().equals(tmpMounts.get(0).path("name").asText())) {
                    tmp = volume;
                }
            }
            assertThat(tmp).as(name).isNotNull();
            long sizeLimit = bytes(tmp.path("emptyDir").path("sizeLimit").asText());
            JsonNode resources = container.path("resources");
            long request = bytes(resources.path("requests").path("ephemeral-storage").asText());
            long limit = bytes(resources.path("limits").path("ephemeral-storage").asText());
            // The emptyDir counts against the pod's ephemeral storage, with the logs; it must fit under the limit.
            assertThat(sizeLimit).as(name).isPositive().isLessThan(limit);
            assertThat(request).as(name).isPositive().isLessThanOrEqualTo(limit);
            assertThat(resources.path("requests").has("cpu") && resources.path("requests").has("memory")
                    && resources.path("limits").has("memory")).as(name).isTrue();
        });
    }

    @Test
    void apiKeysComeFromAnOptionalSecret() {
        podTemplates().forEach((name, template) -> {
            JsonNode keys = null;
            for (JsonNode variable : template.path("spec").path("containers").get(0).path("env")) {
                if (variable.path("name").asText().equals("ZEROSERVE_AUTH_API_KEYS")) {
                    keys = variable;
                }
            }
            assertThat(keys).as(name).isNotNull();
            JsonNode secret = keys.path("valueFrom").path("secretKeyRef");
            assertThat(keys.has("value")).as(name).isFalse();
            assertThat(secret.path("name").asText()).as(name).isEqualTo("zeroserve-api-keys");
            assertThat(secret.path("key").asText()).as(name).isEqualTo("api-keys");
            // The manifests apply and the pods start without the Secret (the service then warns that it has no keys).
            assertThat(secret.path("optional").asBoolean(false)).as(name).isTrue();
        });
    }

    @Test
    void knativeNeedsNoFeatureFlagButTheGpuNodeSelector() {
        KnativeFeatureFlags.Needs cpu = KnativeFeatureFlags.of(knativeService(cpuKnative));
        assertThat(cpu.refused()).isEmpty();
        // The /tmp emptyDir's flag, enabled by default since Knative 1.8.
        assertThat(cpu.flags()).containsExactly("kubernetes.podspec-volumes-emptydir");
        assertThat(cpu.flagsToEnable()).isEmpty();
        KnativeFeatureFlags.Needs gpu = KnativeFeatureFlags.of(knativeService(gpuKnative));
        assertThat(gpu.refused()).isEmpty();
        assertThat(gpu.flagsToEnable()).containsExactly("kubernetes.podspec-nodeselector");
        // What the flags check would catch: a pod-level securityContext, an added capability, a writable secret.
        JsonNode changed = knativeService(cpuKnative).deepCopy();
        ObjectNode spec = (ObjectNode) changed.path("spec").path("template").path("spec");
        spec.putObject("securityContext").put("runAsNonRoot", true);
        ((ObjectNode) spec.path("containers").get(0).path("securityContext")).withArray("/capabilities/add")
                .add("NET_BIND_SERVICE");
        ((ArrayNode) spec.path("volumes")).addObject().put("name", "keys").putObject("secret")
                .put("secretName", "zeroserve-api-keys");
        ((ArrayNode) spec.path("containers").get(0).path("volumeMounts")).addObject().put("name", "keys")
                .put("mountPath", "/keys");
        KnativeFeatureFlags.Needs needs = KnativeFeatureFlags.of(changed);
        assertThat(needs.flagsToEnable()).containsExactly("kubernetes.containerspec-addcapabilities",
                "kubernetes.podspec-securitycontext");
        assertThat(needs.refused()).containsExactly("container zeroserve: writable mount of secret volume keys");
    }

    @Test
    void networkPolicySelectsEveryGeneratedPodAndLetsItsTrafficThrough() throws IOException {
        JsonNode policy = FinishManifests.read(PROJECT.resolve("knative/networkpolicy.yaml")).get(0);
        assertThat(policy.path("kind").asText()).isEqualTo("NetworkPolicy");
        JsonNode selector = policy.path("spec").path("podSelector").path("matchLabels");
        assertThat(selector.size()).isPositive();
        podTemplates().forEach((name, template) -> selector.fields().forEachRemaining(label -> assertThat(
                template.path("metadata").path("labels").path(label.getKey()).asText()).as("%s: label %s", name,
                        label.getKey()).isEqualTo(label.getValue().asText())));
        List<Integer> ingressPorts = new ArrayList<>();
        policy.path("spec").path("ingress").forEach(rule -> rule.path("ports")
                .forEach(port -> ingressPorts.add(port.path("port").asInt())));
        // The queue-proxy's h2c port (the Knative container port is h2c) and the port Prometheus scrapes.
        assertThat(ingressPorts).contains(8013, Integer.parseInt(knativeService(cpuKnative).path("spec")
                .path("template").path("metadata").path("annotations").path("prometheus.io/port").asText()));
        List<String> egress = new ArrayList<>();
        policy.path("spec").path("egress").forEach(rule -> rule.path("ports")
                .forEach(port -> egress.add(port.path("protocol").asText() + "/" + port.path("port").asInt())));
        assertThat(egress).containsExactlyInAnyOrder("UDP/53", "TCP/53");
    }

    /** Every generated pod template, by variant and kind. */
    private static Map<String, JsonNode> podTemplates() {
        Map<String, JsonNode> templates = new LinkedHashMap<>();
        templates.put("CPU Knative Service", knativeService(cpuKnative).path("spec").path("template"));
        templates.put("GPU Knative Service", knativeService(gpuKnative).path("spec").path("template"));
        templates.put("CPU Deployment", deployment(cpuKubernetes).path("spec").path("template"));
        templates.put("GPU Deployment", deployment(gpuKubernetes).path("spec").path("template"));
        return templates;
    }

    /** A Kubernetes quantity of bytes with a binary suffix (Ki, Mi, Gi) or none. */
    private static long bytes(String quantity) {
        Matcher matcher = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(quantity);
        assertThat(matcher.matches()).as("quantity %s", quantity).isTrue();
        int shift = matcher.group(2) == null ? 0 : 10 * (1 + List.of("Ki", "Mi", "Gi").indexOf(matcher.group(2)));
        return Long.parseLong(matcher.group(1)) << shift;
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
