package dev.zeroserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Each rule of {@link RestrictedProfile} against a pod that passes them all, changed in one place at a time: a change
 * the page forbids is reported under exactly that rule's name (and the overlapping rule where the page has two, such
 * as a hostPath volume, which is both baseline's and restricted's), and a change it allows is not.
 */
class RestrictedProfileTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String COMPLIANT = """
            metadata:
              annotations:
                container.apparmor.security.beta.kubernetes.io/app: runtime/default
            spec:
              volumes:
                - name: tmp
                  emptyDir: {}
                - name: keys
                  secret: {secretName: keys}
              containers:
                - name: app
                  ports: [{containerPort: 8080}]
                  readinessProbe: {httpGet: {path: /ready, port: 8080}}
                  lifecycle: {preStop: {sleep: {seconds: 5}}}
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 185
                    allowPrivilegeEscalation: false
                    capabilities: {drop: [ALL]}
                    seccompProfile: {type: RuntimeDefault}
            """;

    @Test
    void theCompliantPodPassesEveryRule() throws IOException {
        assertThat(RestrictedProfile.check(pod(pod -> {
        }))).isEmpty();
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                change("spec.securityContext.windowsOptions.hostProcess: true", List.of("HostProcess (baseline)"),
                        pod -> podSecurityContext(pod).putObject("windowsOptions").put("hostProcess", true)),
                change("spec.hostNetwork: true", List.of("Host Namespaces (baseline)"),
                        pod -> spec(pod).put("hostNetwork", true)),
                change("spec.hostPID: true", List.of("Host Namespaces (baseline)"),
                        pod -> spec(pod).put("hostPID", true)),
                change("privileged: true", List.of("Privileged Containers (baseline)"),
                        pod -> securityContext(pod).put("privileged", true)),
                change("capabilities.add SYS_ADMIN",
                        List.of("Capabilities (baseline)", "Capabilities (restricted)"),
                        pod -> capabilities(pod).putArray("add").add("SYS_ADMIN")),
                change("capabilities.add CHOWN (baseline allows it)", List.of("Capabilities (restricted)"),
                        pod -> capabilities(pod).putArray("add").add("CHOWN")),
                change("capabilities.drop without ALL", List.of("Capabilities (restricted)"),
                        pod -> capabilities(pod).putArray("drop").add("NET_RAW")),
                change("a hostPath volume", List.of("HostPath Volumes (baseline)", "Volume Types (restricted)"),
                        pod -> volumes(pod).addObject().put("name", "host").putObject("hostPath").put("path", "/")),
                change("an nfs volume", List.of("Volume Types (restricted)"),
                        pod -> volumes(pod).addObject().put("name", "nfs").putObject("nfs").put("path", "/")),
                change("hostPort: 80", List.of("Host Ports (baseline)"),
                        pod -> ((ObjectNode) container(pod).path("ports").get(0)).put("hostPort", 80)),
                change("readinessProbe.httpGet.host", List.of("Host Probes / Lifecycle Hooks (baseline)"),
                        pod -> ((ObjectNode) container(pod).path("readinessProbe").path("httpGet")).put("host",
                                "metadata.internal")),
                change("lifecycle.preStop.tcpSocket.host", List.of("Host Probes / Lifecycle Hooks (baseline)"),
                        pod -> ((ObjectNode) container(pod).path("lifecycle").path("preStop")).putObject("tcpSocket")
                                .put("host", "10.0.0.1")),
                change("appArmorProfile Unconfined", List.of("AppArmor (baseline)"),
                        pod -> securityContext(pod).putObject("appArmorProfile").put("type", "Unconfined")),
                change("AppArmor annotation unconfined", List.of("AppArmor (baseline)"),
                        pod -> ((ObjectNode) pod.path("metadata").path("annotations"))
                                .put("container.apparmor.security.beta.kubernetes.io/app", "unconfined")),
                change("seLinuxOptions.type spc_t", List.of("SELinux (baseline)"),
                        pod -> securityContext(pod).putObject("seLinuxOptions").put("type", "spc_t")),
                change("seLinuxOptions.user", List.of("SELinux (baseline)"),
                        pod -> podSecurityContext(pod).putObject("seLinuxOptions").put("user", "system_u")),
                change("procMount Unmasked", List.of("/proc Mount Type (baseline)"),
                        pod -> securityContext(pod).put("procMount", "Unmasked")),
                change("seccompProfile Unconfined", List.of("Seccomp (baseline)", "Seccomp (restricted)"),
                        pod -> securityContext(pod).putObject("seccompProfile").put("type", "Unconfined")),
                change("no seccompProfile", List.of("Seccomp (restricted)"),
                        pod -> securityContext(pod).remove("seccompProfile")),
                change("an unsafe sysctl", List.of("Sysctls (baseline)"),
                        pod -> podSecurityContext(pod).putArray("sysctls").addObject().put("name", "kernel.msgmax")
                                .put("value", "65536")),
                change("allowPrivilegeEscalation unset", List.of("Privilege Escalation (restricted)"),
                        pod -> securityContext(pod).remove("allowPrivilegeEscalation")),
                change("allowPrivilegeEscalation: true", List.of("Privilege Escalation (restricted)"),
                        pod -> securityContext(pod).put("allowPrivilegeEscalation", true)),
                change("runAsNonRoot unset", List.of("Running as Non-root (restricted)"),
                        pod -> securityContext(pod).remove("runAsNonRoot")),
                change("runAsNonRoot: false in the pod, true in the container",
                        List.of("Running as Non-root (restricted)"),
                        pod -> podSecurityContext(pod).put("runAsNonRoot", false)),
                change("runAsUser: 0", List.of("Running as Non-root user (restricted)"),
                        pod -> securityContext(pod).put("runAsUser", 0)),
                change("an init container without a securityContext",
                        List.of("Privilege Escalation (restricted)", "Running as Non-root (restricted)",
                                "Seccomp (restricted)", "Capabilities (restricted)"),
                        pod -> spec(pod).putArray("initContainers").addObject().put("name", "init")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("violations")
    void aForbiddenValueIsReportedUnderItsRule(String change, List<String> rules, Consumer<ObjectNode> mutation)
            throws IOException {
        List<RestrictedProfile.Violation> violations = RestrictedProfile.check(pod(mutation));
        assertThat(violations).as(change).extracting(RestrictedProfile.Violation::rule)
                .containsExactlyInAnyOrderElementsOf(rules);
    }

    static Stream<Arguments> allowed() {
        return Stream.of(
                change("NET_BIND_SERVICE added back", List.of(),
                        pod -> capabilities(pod).putArray("add").add("NET_BIND_SERVICE")),
                change("a Localhost seccomp profile", List.of(),
                        pod -> securityContext(pod).putObject("seccompProfile").put("type", "Localhost")
                                .put("localhostProfile", "profiles/app.json")),
                change("seccomp and runAsNonRoot at pod level only", List.of(), pod -> {
                    securityContext(pod).remove(List.of("seccompProfile", "runAsNonRoot"));
                    podSecurityContext(pod).put("runAsNonRoot", true).putObject("seccompProfile")
                            .put("type", "RuntimeDefault");
                }),
                change("hostPort: 0, hostNetwork: false, privileged: false", List.of(), pod -> {
                    ((ObjectNode) container(pod).path("ports").get(0)).put("hostPort", 0);
                    spec(pod).put("hostNetwork", false);
                    securityContext(pod).put("privileged", false);
                }),
                change("every allowed volume type", List.of(), pod -> {
                    for (String type : List.of("configMap", "csi", "downwardAPI", "ephemeral",
                            "persistentVolumeClaim", "projected")) {
                        volumes(pod).addObject().put("name", type).putObject(type);
                    }
                }),
                change("a safe sysctl and SELinux type container_t", List.of(), pod -> {
                    podSecurityContext(pod).putArray("sysctls").addObject().put("name", "net.ipv4.tcp_syncookies")
                            .put("value", "1");
                    securityContext(pod).putObject("seLinuxOptions").put("type", "container_t");
                }),
                change("a Windows pod without the Linux-only fields", List.of(), pod -> {
                    spec(pod).putObject("os").put("name", "windows");
                    securityContext(pod).remove(List.of("allowPrivilegeEscalation", "capabilities", "seccompProfile"));
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allowed")
    void anAllowedValueIsNotReported(String change, List<String> rules, Consumer<ObjectNode> mutation)
            throws IOException {
        assertThat(RestrictedProfile.check(pod(mutation))).as(change).isEmpty();
    }

    private static Arguments change(String change, List<String> rules, Consumer<ObjectNode> mutation) {
        return Arguments.of(change, rules, mutation);
    }

    private static JsonNode pod(Consumer<ObjectNode> mutation) throws IOException {
        ObjectNode pod = (ObjectNode) YAML.readTree(COMPLIANT);
        mutation.accept(pod);
        return pod;
    }

    private static ObjectNode spec(ObjectNode pod) {
        return (ObjectNode) pod.path("spec");
    }

    private static ObjectNode podSecurityContext(ObjectNode pod) {
        return spec(pod).with("securityContext");
    }

    private static ObjectNode container(ObjectNode pod) {
        return (ObjectNode) pod.path("spec").path("containers").get(0);
    }

    private static ObjectNode securityContext(ObjectNode pod) {
        return (ObjectNode) container(pod).path("securityContext");
    }

    private static ObjectNode capabilities(ObjectNode pod) {
        return (ObjectNode) securityContext(pod).path("capabilities");
    }

    private static ArrayNode volumes(ObjectNode pod) {
        return (ArrayNode) pod.path("spec").path("volumes");
    }
}
