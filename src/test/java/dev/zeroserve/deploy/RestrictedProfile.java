package dev.zeroserve.deploy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The Pod Security Standards' "restricted" profile, which includes "baseline", as the Kubernetes documentation states
 * it (https://kubernetes.io/docs/concepts/security/pod-security-standards/, as of Kubernetes 1.34): one named rule per
 * control of its two tables, each checking the restricted fields against the allowed values the page lists. A rule
 * reports every field that breaks it, as {@code <control> (<profile>): <field> <why>}.
 * <p>
 * Input: a pod template (its {@code metadata} and {@code spec}), as a Deployment's or a Knative Service's
 * {@code spec.template} holds it. Only what is written in the manifest is checked: what an admission webhook adds
 * later (Knative's queue-proxy, GKE's FUSE sidecar) is not in it.
 */
final class RestrictedProfile {
    /** One broken rule: the rule's name and the field that breaks it. */
    record Violation(String rule, String detail) {
        @Override
        public String toString() {
            return rule + ": " + detail;
        }
    }

    /** A named rule: reports each of its violations in a pod to the sink, as a field and why. */
    record Rule(String name, BiConsumer<Pod, Sink> check) {
    }

    interface Sink {
        void violation(String field, String why);
    }

    private static final String BASELINE = " (baseline)";
    private static final String RESTRICTED = " (restricted)";
    private static final Set<String> BASELINE_ADDED_CAPABILITIES = sorted("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE",
            "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
            "SYS_CHROOT");
    private static final Set<String> SAFE_SYSCTLS = sorted("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
    private static final Set<String> SELINUX_TYPES = sorted("", "container_t", "container_init_t", "container_kvm_t",
            "container_engine_t");
    private static final Set<String> PROFILE_TYPES = sorted("RuntimeDefault", "Localhost");
    private static final Set<String> VOLUME_TYPES = sorted("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");
    private static final String APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

    /** The two tables of the page, in its order; the restricted profile is all of them. */
    static final List<Rule> RULES = List.of(
            new Rule("HostProcess" + BASELINE, (pod, sink) -> {
                for (Field field : pod.securityContexts()) {
                    allowOnly(sink, field.path() + ".windowsOptions.hostProcess",
                            field.node().path("windowsOptions").path("hostProcess"), false);
                }
            }),
            new Rule("Host Namespaces" + BASELINE, (pod, sink) -> {
                for (String name : List.of("hostNetwork", "hostPID", "hostIPC")) {
                    allowOnly(sink, "spec." + name, pod.spec().path(name), false);
                }
            }),
            new Rule("Privileged Containers" + BASELINE, (pod, sink) -> {
                for (Field container : pod.containers()) {
                    allowOnly(sink, container.path() + ".securityContext.privileged",
                            container.node().path("securityContext").path("privileged"), false);
                }
            }),
            new Rule("Capabilities" + BASELINE, (pod, sink) -> {
                for (Field container : pod.containers()) {
                    addedCapabilities(sink, container, BASELINE_ADDED_CAPABILITIES);
                }
            }),
            new Rule("HostPath Volumes" + BASELINE, (pod, sink) -> {
                for (Field volume : pod.volumes()) {
                    if (present(volume.node().path("hostPath"))) {
                        sink.violation(volume.path() + ".hostPath", "must be undefined");
                    }
                }
            }),
            new Rule("Host Ports" + BASELINE, (pod, sink) -> {
                for (Field container : pod.containers()) {
                    for (Field port : list(container, "ports")) {
                        JsonNode hostPort = port.node().path("hostPort");
                        if (present(hostPort) && hostPort.asLong(-1) != 0) {
                            sink.violation(port.path() + ".hostPort", "must be undefined or 0, is " + hostPort);
                        }
                    }
                }
            }),
            new Rule("Host Probes / Lifecycle Hooks" + BASELINE, (pod, sink) -> {
                for (Field container : pod.containers()) {
                    for (String handler : List.of("livenessProbe", "readinessProbe", "startupProbe",
                            "lifecycle.postStart", "lifecycle.preStop")) {
                        JsonNode node = container.node().at("/" + handler.replace('.', '/'));
                        for (String action : List.of("httpGet", "tcpSocket")) {
                            allowOnly(sink, container.path() + "." + handler + "." + action + ".host",
                                    node.path(action).path("host"), "");
                        }
                    }
                }
            }),
            new Rule("AppArmor" + BASELINE, (pod, sink) -> {
                for (Field field : pod.securityContexts()) {
                    JsonNode type = field.node().path("appArmorProfile").path("type");
                    if (present(type) && !PROFILE_TYPES.contains(type.asText())) {
                        sink.violation(field.path() + ".appArmorProfile.type",
                                "must be undefined, RuntimeDefault or Localhost, is " + type);
                    }
                }
                for (Iterator<Map.Entry<String, JsonNode>> annotations = pod.metadata().path("annotations")
                        .fields(); annotations.hasNext();) {
                    Map.Entry<String, JsonNode> annotation = annotations.next();
                    String value = annotation.getValue().asText();
                    if (annotation.getKey().startsWith(APPARMOR_ANNOTATION) && !value.equals("runtime/default")
                            && !value.startsWith("localhost/")) {
                        sink.violation("metadata.annotations[" + annotation.getKey() + "]",
                                "must be undefined, runtime/default or localhost/*, is " + value);
                    }
                }
            }),
            new Rule("SELinux" + BASELINE, (pod, sink) -> {
                for (Field field : pod.securityContexts()) {
                    JsonNode options = field.node().path("seLinuxOptions");
                    JsonNode type = options.path("type");
                    if (present(type) && !SELINUX_TYPES.contains(type.asText())) {
                        sink.violation(field.path() + ".seLinuxOptions.type",
                                "must be undefined or one of " + SELINUX_TYPES + ", is " + type);
                    }
                    for (String name : List.of("user", "role")) {
                        allowOnly(sink, field.path() + ".seLinuxOptions." + name, options.path(name), "");
                    }
                }
            }),
            new Rule("/proc Mount Type" + BASELINE, (pod, sink) -> {
                for (Field container : pod.containers()) {
                    allowOnly(sink, container.path() + ".securityContext.procMount",
                            container.node().path("securityContext").path("procMount"), "Default");
                }
            }),
            new Rule("Seccomp" + BASELINE, (pod, sink) -> {
                for (Field field : pod.securityContexts()) {
                    JsonNode type = field.node().path("seccompProfile").path("type");
                    if (present(type) && !PROFILE_TYPES.contains(type.asText())) {
                        sink.violation(field.path() + ".seccompProfile.type",
                                "must be undefined, RuntimeDefault or Localhost, is " + type);
                    }
                }
            }),
            new Rule("Sysctls" + BASELINE, (pod, sink) -> {
                for (Field sysctl : list(new Field("spec.securityContext", pod.spec().path("securityContext")),
                        "sysctls")) {
                    String name = sysctl.node().path("name").asText();
                    if (!SAFE_SYSCTLS.contains(name)) {
                        sink.violation(sysctl.path() + ".name", "must be a safe sysctl, is " + name);
                    }
                }
            }),
            new Rule("Volume Types" + RESTRICTED, (pod, sink) -> {
                for (Field volume : pod.volumes()) {
                    List<String> types = new ArrayList<>();
                    volume.node().fieldNames().forEachRemaining(name -> {
                        if (!name.equals("name") && present(volume.node().path(name))) {
                            types.add(name);
                        }
                    });
                    if (types.isEmpty() || !VOLUME_TYPES.containsAll(types)) {
                        sink.violation(volume.path(), "must be one of " + VOLUME_TYPES + ", is " + types);
                    }
                }
            }),
            new Rule("Privilege Escalation" + RESTRICTED, (pod, sink) -> {
                for (Field container : pod.linuxContainers()) {
                    JsonNode value = container.node().path("securityContext").path("allowPrivilegeEscalation");
                    if (!value.isBoolean() || value.booleanValue()) {
                        sink.violation(container.path() + ".securityContext.allowPrivilegeEscalation",
                                "must be false, is " + shown(value));
                    }
                }
            }),
            new Rule("Running as Non-root" + RESTRICTED, (pod, sink) -> requiredAtPodOrEveryContainer(pod, sink,
                    "runAsNonRoot", value -> value.isBoolean() && value.booleanValue(), "true", pod.containers())),
            new Rule("Running as Non-root user" + RESTRICTED, (pod, sink) -> {
                for (Field field : pod.securityContexts()) {
                    JsonNode user = field.node().path("runAsUser");
                    if (present(user) && user.asLong(-1) == 0) {
                        sink.violation(field.path() + ".runAsUser", "must be undefined or non-zero, is 0");
                    }
                }
            }),
            new Rule("Seccomp" + RESTRICTED, (pod, sink) -> {
                if (!pod.windows()) {
                    requiredAtPodOrEveryContainer(pod, sink, "seccompProfile",
                            value -> PROFILE_TYPES.contains(value.path("type").asText()),
                            "a type of RuntimeDefault or Localhost", pod.containers());
                }
            }),
            new Rule("Capabilities" + RESTRICTED, (pod, sink) -> {
                for (Field container : pod.linuxContainers()) {
                    JsonNode drop = container.node().path("securityContext").path("capabilities").path("drop");
                    if (!contains(drop, "ALL")) {
                        sink.violation(container.path() + ".securityContext.capabilities.drop",
                                "must include ALL, is " + shown(drop));
                    }
                    addedCapabilities(sink, container, sorted("NET_BIND_SERVICE"));
                }
            }));

    private RestrictedProfile() {
    }

    /** Every violation of the restricted profile in a pod template, in the order of the rules. */
    static List<Violation> check(JsonNode podTemplate) {
        Pod pod = new Pod(podTemplate.path("metadata"), podTemplate.path("spec"));
        List<Violation> violations = new ArrayList<>();
        for (Rule rule : RULES) {
            rule.check().accept(pod, (field, why) -> violations.add(new Violation(rule.name(), field + " " + why)));
        }
        return violations;
    }

    /** A node and where it is, e.g. {@code spec.containers[0](zeroserve)}. */
    record Field(String path, JsonNode node) {
    }

    /** The parts of a pod template the rules read. */
    record Pod(JsonNode metadata, JsonNode spec) {
        List<Field> containers() {
            List<Field> containers = new ArrayList<>();
            for (String kind : List.of("containers", "initContainers", "ephemeralContainers")) {
                for (Field container : list(new Field("spec", spec), kind)) {
                    containers.add(new Field(container.path() + "(" + container.node().path("name").asText() + ")",
                            container.node()));
                }
            }
            return containers;
        }

        /** The containers whose Linux-only rules apply: all of them unless {@code spec.os.name} is windows. */
        List<Field> linuxContainers() {
            return windows() ? List.of() : containers();
        }

        boolean windows() {
            return "windows".equals(spec.path("os").path("name").asText());
        }

        List<Field> volumes() {
            return list(new Field("spec", spec), "volumes");
        }

        /** The pod's security context and each container's. */
        List<Field> securityContexts() {
            List<Field> contexts = new ArrayList<>();
            contexts.add(new Field("spec.securityContext", spec.path("securityContext")));
            for (Field container : containers()) {
                contexts.add(new Field(container.path() + ".securityContext",
                        container.node().path("securityContext")));
            }
            return contexts;
        }
    }

    /**
     * A field the page lets a pod set once at pod level for all containers: the pod's value, when set, must be allowed;
     * each container's, when set, must be allowed; and a container without one needs the pod's.
     */
    private static void requiredAtPodOrEveryContainer(Pod pod, Sink sink, String name, Predicate<JsonNode> allowed,
            String expected, List<Field> containers) {
        JsonNode podValue = pod.spec().path("securityContext").path(name);
        boolean podSet = present(podValue);
        if (podSet && !allowed.test(podValue)) {
            sink.violation("spec.securityContext." + name, "must be " + expected + ", is " + podValue);
        }
        for (Field container : containers) {
            JsonNode value = container.node().path("securityContext").path(name);
            if (present(value) ? !allowed.test(value) : !(podSet && allowed.test(podValue))) {
                sink.violation(container.path() + ".securityContext." + name,
                        "must be " + expected + (podSet ? "" : " (or the pod's)") + ", is " + shown(value));
            }
        }
    }

    private static void addedCapabilities(Sink sink, Field container, Set<String> allowed) {
        for (JsonNode capability : container.node().path("securityContext").path("capabilities").path("add")) {
            if (!allowed.contains(capability.asText())) {
                sink.violation(container.path() + ".securityContext.capabilities.add",
                        "may only add " + allowed + ", adds " + capability.asText());
            }
        }
    }

    /** A field whose only allowed values are undefined and {@code allowed}. */
    private static void allowOnly(Sink sink, String path, JsonNode value, Object allowed) {
        boolean ok = !present(value) || (allowed instanceof Boolean flag ? value.isBoolean()
                && value.booleanValue() == flag : value.isTextual() && value.asText().equals(allowed));
        if (!ok) {
            sink.violation(path, "must be undefined or " + (allowed.equals("") ? "\"\"" : allowed) + ", is "
                    + value);
        }
    }

    private static List<Field> list(Field parent, String name) {
        List<Field> items = new ArrayList<>();
        JsonNode array = parent.node().path(name);
        for (int i = 0; i < array.size(); i++) {
            items.add(new Field(parent.path() + "." + name + "[" + i + "]", array.get(i)));
        }
        return items;
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode item : array) {
            if (value.equals(item.asText())) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> sorted(String... values) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(List.of(values)));
    }

    private static boolean present(JsonNode node) {
        return !node.isMissingNode() && !node.isNull();
    }

    private static String shown(JsonNode node) {
        return present(node) ? node.toString() : "undefined";
    }
}
