package dev.zeroserve.tools.manifests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * Finishes the manifests quarkus-kubernetes writes to {@code target/kubernetes}, run by the build right after it
 * ({@code package} phase), for the two things neither its properties nor a merged {@code src/main/kubernetes} file
 * can say:
 * <ul>
 * <li>the Knative container port must be named {@code h2c} so that the queue-proxy speaks HTTP/2 to the pod and gRPC
 * passes; Dekorate renames every web port, a merged one included, to {@code http1} and then lists it twice;</li>
 * <li>the GPU build ({@code -Pgpu}) asks for {@code nvidia.com/gpu}, an extended resource Quarkus has no key for,
 * and selects GKE's GPU nodes, which Quarkus 3.31 does for a Deployment but not for a Knative Service.</li>
 * </ul>
 * It also drops the {@code port: null} Dekorate leaves in Knative probes (Knative fills in the container port),
 * and sets the HorizontalPodAutoscaler's target from a file of {@code plan knative} when the build is given one
 * with {@code -Dquarkus.config.locations=<file>} (a system property of the Maven JVM, where this runs): Quarkus
 * generates no HPA, so its keys cannot reach the one merged from {@code src/main/kubernetes/kubernetes.yml}.
 * Usage: {@code FinishManifests <target/kubernetes> <gpus per pod> <GKE accelerator>}.
 */
public final class FinishManifests {
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String GKE_ACCELERATOR = "cloud.google.com/gke-accelerator";
    /** The key {@code plan knative} writes into its file (dev.zeroserve.tools.plan.KnativePlanner). */
    public static final String PLANNED_HPA_TARGET = "plan.hpa.average-inflight-requests";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));
    private static final ObjectMapper JSON = new ObjectMapper();

    private FinishManifests() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException(
                    "usage: FinishManifests <target/kubernetes directory> <gpus per pod> <GKE accelerator>");
        }
        Path directory = Path.of(args[0]);
        int gpus = Integer.parseInt(args[1]);
        String hpaTarget = plannedHpaTarget(System.getProperty("quarkus.config.locations"));
        finish(directory, "knative", gpus, args[2], hpaTarget);
        finish(directory, "kubernetes", gpus, args[2], hpaTarget);
    }

    /** The planned HPA target in the given config locations (comma-separated files), or null. */
    static String plannedHpaTarget(String configLocations) throws IOException {
        String found = null;
        if (configLocations == null) {
            return null;
        }
        for (String location : configLocations.split(",")) {
            Path file = Path.of(location.trim().replaceFirst("^file:", ""));
            if (Files.isRegularFile(file)) {
                Properties properties = new Properties();
                try (Reader reader = Files.newBufferedReader(file)) {
                    properties.load(reader);
                }
                found = properties.getProperty(PLANNED_HPA_TARGET, found);
            }
        }
        return found;
    }

    private static void finish(Path directory, String target, int gpus, String accelerator, String hpaTarget)
            throws IOException {
        Path yaml = directory.resolve(target + ".yml");
        if (!Files.exists(yaml)) {
            return;
        }
        List<JsonNode> resources = read(yaml);
        for (JsonNode resource : resources) {
            String kind = resource.path("kind").asText();
            if ("knative".equals(target) && "Service".equals(kind)) {
                for (JsonNode container : containers(resource)) {
                    nameTheOnePortH2c((ObjectNode) container);
                    dropNullProbePorts((ObjectNode) container);
                }
            }
            if (hpaTarget != null && "HorizontalPodAutoscaler".equals(kind)) {
                for (JsonNode metric : resource.path("spec").path("metrics")) {
                    ((ObjectNode) metric.path("pods").path("target")).put("averageValue", hpaTarget);
                }
            }
            if (gpus > 0 && ("Service".equals(kind) && "knative".equals(target) || "Deployment".equals(kind))) {
                ObjectNode podSpec = (ObjectNode) resource.path("spec").path("template").path("spec");
                podSpec.with("nodeSelector").put(GKE_ACCELERATOR, accelerator);
                for (JsonNode container : containers(resource)) {
                    ObjectNode limits = ((ObjectNode) container).with("resources").with("limits");
                    limits.put(GPU_RESOURCE, Integer.toString(gpus));
                }
            }
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode resource : resources) {
            out.append("---\n").append(YAML.writeValueAsString(resource));
        }
        Files.writeString(yaml, out);
        Files.writeString(directory.resolve(target + ".json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(resources));
    }

    public static List<JsonNode> read(Path yaml) throws IOException {
        List<JsonNode> resources = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml.toFile())) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isEmpty()) {
                    resources.add(document);
                }
            }
        }
        return resources;
    }

    public static JsonNode containers(JsonNode resource) {
        return resource.path("spec").path("template").path("spec").path("containers");
    }

    private static void nameTheOnePortH2c(ObjectNode container) {
        JsonNode ports = container.path("ports");
        int containerPort = ports.size() > 0 ? ports.get(0).path("containerPort").asInt(8080) : 8080;
        ArrayNode onePort = container.putArray("ports");
        onePort.addObject().put("name", "h2c").put("containerPort", containerPort).put("protocol", "TCP");
    }

    private static void dropNullProbePorts(ObjectNode container) {
        for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            JsonNode httpGet = container.path(probe).path("httpGet");
            if (httpGet.isObject() && httpGet.path("port").isNull()) {
                ((ObjectNode) httpGet).remove("port");
            }
        }
    }
}
