package dev.zeroserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the software bill of materials the build wrote (CycloneDX JSON, target/*bom*.json) and checks it against what
 * ships: every jar of the packaged application is named in it, with the versions that carry the fixes this project
 * depends on.
 */
class SbomIT {
    private static final Path TARGET = Path.of("target");
    /** The first Netty 4.1 with the fixes of CVE-2026-56821 and -56822, and those before them (docs). */
    private static final int[] NETTY_FLOOR = { 4, 1, 137 };

    /** Components as group:name:version. */
    private static List<String> components;

    @BeforeAll
    static void readSbom() throws IOException {
        Path sbom;
        try (Stream<Path> files = Files.list(TARGET)) {
            List<Path> found = files.filter(file -> file.getFileName().toString().matches(".*bom.*\\.json")).toList();
            assertThat(found).as("the SBOM in %s", TARGET.toAbsolutePath()).hasSize(1);
            sbom = found.get(0);
        }
        JsonNode bom = new ObjectMapper().readTree(sbom.toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        components = new ArrayList<>();
        for (JsonNode component : bom.path("components")) {
            components.add(component.path("group").asText() + ":" + component.path("name").asText() + ":"
                    + component.path("version").asText());
        }
    }

    @Test
    void everyNettyModuleHasTheFixes() {
        List<String> netty = components.stream().filter(component -> component.startsWith("io.netty:")).toList();
        assertThat(netty).as("Netty modules").isNotEmpty()
                .allSatisfy(component -> assertThat(atLeast(component.substring(component.lastIndexOf(':') + 1),
                        NETTY_FLOOR)).as(component).isTrue());
    }

    @Test
    void onnxRuntimeAndTheTokenizersAreListed() {
        assertThat(components).anyMatch(component -> component.matches(
                "com\\.microsoft\\.onnxruntime:onnxruntime(_gpu)?:.+"))
                .anyMatch(component -> component.startsWith("ai.djl.huggingface:tokenizers:"));
    }

    @Test
    void everyJarThePackagedApplicationShipsIsListedAndNoTestLibrary() throws IOException {
        List<String> jars = new ArrayList<>();
        for (String folder : List.of("boot", "main")) {
            try (Stream<Path> files = Files.list(TARGET.resolve("quarkus-app/lib").resolve(folder))) {
                files.map(file -> file.getFileName().toString()).forEach(jars::add);
            }
        }
        assertThat(jars).hasSizeGreaterThan(100).allSatisfy(jar -> assertThat(components)
                .as("component shipped as %s", jar).anyMatch(component -> shippedAs(component, jar)));
        assertThat(components).noneMatch(component -> component.startsWith("org.junit")
                || component.startsWith("org.assertj:") || component.startsWith("com.tngtech.archunit:"));
    }

    /** Quarkus names a jar group.artifact-version.jar, or with its classifier after the version. */
    private static boolean shippedAs(String component, String jar) {
        String[] parts = component.split(":");
        String stem = parts[0] + "." + parts[1] + "-" + parts[2];
        return jar.equals(stem + ".jar") || jar.startsWith(stem + "-") && jar.endsWith(".jar");
    }

    /** Whether a version such as 4.1.137.Final is at least the given numbers, compared one by one. */
    static boolean atLeast(String version, int[] floor) {
        String[] parts = version.split("[.-]");
        for (int i = 0; i < floor.length; i++) {
            int part = i < parts.length && parts[i].matches("\\d+") ? Integer.parseInt(parts[i]) : 0;
            if (part != floor[i]) {
                return part > floor[i];
            }
        }
        return true;
    }
}
