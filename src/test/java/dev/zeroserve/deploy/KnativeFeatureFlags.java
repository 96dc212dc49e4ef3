package dev.zeroserve.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What Knative Serving's webhook asks of a Service's pod spec beyond its CRD schema, read from knative/serving
 * {@code knative-v1.23.0} ({@code pkg/apis/serving/fieldmask.go}, {@code k8s_validation.go},
 * {@code pkg/apis/config/features.go}): the {@code config-features} flags its fields need, and the fields it refuses
 * whatever the flags. The schema ({@link KnativeSchema}) admits feature-gated fields without saying so.
 */
final class KnativeFeatureFlags {
    /** Flags a default installation has enabled (features.go; emptyDir since v1.8, knative/serving#13405). */
    static final Set<String> ENABLED_BY_DEFAULT = Set.of("multi-container", "kubernetes.podspec-volumes-emptydir");

    private static final Map<String, String> POD_FIELDS = Map.ofEntries(
            Map.entry("affinity", "kubernetes.podspec-affinity"),
            Map.entry("topologySpreadConstraints", "kubernetes.podspec-topologyspreadconstraints"),
            Map.entry("hostAliases", "kubernetes.podspec-hostaliases"),
            Map.entry("nodeSelector", "kubernetes.podspec-nodeselector"),
            Map.entry("runtimeClassName", "kubernetes.podspec-runtimeclassname"),
            Map.entry("tolerations", "kubernetes.podspec-tolerations"),
            Map.entry("securityContext", "kubernetes.podspec-securitycontext"),
            Map.entry("shareProcessNamespace", "kubernetes.podspec-shareprocessnamespace"),
            Map.entry("priorityClassName", "kubernetes.podspec-priorityclassname"),
            Map.entry("schedulerName", "kubernetes.podspec-schedulername"),
            Map.entry("initContainers", "kubernetes.podspec-init-containers"),
            Map.entry("dnsPolicy", "kubernetes.podspec-dnspolicy"),
            Map.entry("dnsConfig", "kubernetes.podspec-dnsconfig"),
            Map.entry("hostIPC", "kubernetes.podspec-hostipc"),
            Map.entry("hostPID", "kubernetes.podspec-hostpid"),
            Map.entry("hostNetwork", "kubernetes.podspec-hostnetwork"));
    /** Pod spec fields with no flag (PodSpecMask), and the Revision's own. */
    private static final Set<String> POD_FIELDS_ALLOWED = Set.of("serviceAccountName", "containers", "volumes",
            "imagePullSecrets", "enableServiceLinks", "automountServiceAccountToken", "containerConcurrency",
            "timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds");
    private static final Map<String, String> VOLUME_TYPES = Map.of(
            "secret", "", "configMap", "", "projected", "",
            "emptyDir", "kubernetes.podspec-volumes-emptydir",
            "persistentVolumeClaim", "kubernetes.podspec-persistent-volume-claim",
            "hostPath", "kubernetes.podspec-volumes-hostpath",
            "csi", "kubernetes.podspec-volumes-csi",
            "ephemeral", "kubernetes.podspec-volumes-ephemeral",
            "image", "kubernetes.podspec-volumes-image");
    /** Mounts of these may be writable; any other must be readOnly. */
    private static final Set<String> WRITABLE_VOLUME_TYPES = Set.of("emptyDir", "persistentVolumeClaim", "ephemeral");
    /** Container securityContext fields with no flag (SecurityContextMask); privileged only as false. */
    private static final Set<String> CONTAINER_SECURITY_FIELDS = Set.of("capabilities", "readOnlyRootFilesystem",
            "runAsUser", "runAsGroup", "runAsNonRoot", "allowPrivilegeEscalation", "seccompProfile", "privileged");

    /** The flags a Service's pod spec needs, and what the webhook refuses whatever the flags. */
    record Needs(Set<String> flags, List<String> refused) {
        /** The flags beyond those a default installation has enabled. */
        Set<String> flagsToEnable() {
            Set<String> toEnable = new TreeSet<>(flags);
            toEnable.removeAll(ENABLED_BY_DEFAULT);
            return toEnable;
        }
    }

    private KnativeFeatureFlags() {
    }

    static Needs of(JsonNode service) {
        JsonNode spec = service.path("spec").path("template").path("spec");
        Set<String> flags = new TreeSet<>();
        List<String> refused = new ArrayList<>();
        for (Iterator<String> names = spec.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (POD_FIELDS.containsKey(name)) {
                flags.add(POD_FIELDS.get(name));
            } else if (!POD_FIELDS_ALLOWED.contains(name)) {
                refused.add("spec." + name);
            }
        }
        if (spec.path("automountServiceAccountToken").asBoolean(false)) {
            refused.add("spec.automountServiceAccountToken: true (only false is allowed)");
        }
        Map<String, String> volumeTypes = new HashMap<>();
        for (JsonNode volume : spec.path("volumes")) {
            for (Iterator<String> names = volume.fieldNames(); names.hasNext();) {
                String type = names.next();
                if (type.equals("name")) {
                    continue;
                }
                volumeTypes.put(volume.path("name").asText(), type);
                if (!VOLUME_TYPES.containsKey(type)) {
                    refused.add("volume " + volume.path("name").asText() + ": " + type);
                } else if (!VOLUME_TYPES.get(type).isEmpty()) {
                    flags.add(VOLUME_TYPES.get(type));
                }
            }
        }
        for (JsonNode container : spec.path("containers")) {
            String where = "container " + container.path("name").asText();
            JsonNode securityContext = container.path("securityContext");
            for (Iterator<String> names = securityContext.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!CONTAINER_SECURITY_FIELDS.contains(name)) {
                    refused.add(where + ": securityContext." + name);
                }
            }
            if (securityContext.path("privileged").asBoolean(false)) {
                refused.add(where + ": securityContext.privileged: true");
            }
            if (securityContext.path("capabilities").path("add").size() > 0) {
                flags.add("kubernetes.containerspec-addcapabilities");
            }
            for (JsonNode env : container.path("env")) {
                JsonNode from = env.path("valueFrom");
                if (from.has("fieldRef") || from.has("resourceFieldRef")) {
                    flags.add("kubernetes.podspec-fieldref");
                }
            }
            for (JsonNode mount : container.path("volumeMounts")) {
                if (mount.has("mountPropagation")) {
                    flags.add("kubernetes.podspec-volumes-mount-propagation");
                }
                String type = volumeTypes.get(mount.path("name").asText());
                if (!mount.path("readOnly").asBoolean(false) && !WRITABLE_VOLUME_TYPES.contains(type)) {
                    refused.add(where + ": writable mount of " + type + " volume " + mount.path("name").asText());
                }
            }
        }
        return new Needs(flags, refused);
    }
}
