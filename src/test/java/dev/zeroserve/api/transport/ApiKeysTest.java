package dev.zeroserve.api.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.zeroserve.api.transport.ApiKeys.Verdict;
import dev.zeroserve.config.ZeroserveConfig.RouteGroup;
import dev.zeroserve.testing.TestConfig;

class ApiKeysTest {
    @TempDir
    Path dir;

    private static ApiKeys keys(Map<String, String> settings) {
        return new ApiKeys(TestConfig.with(settings).auth());
    }

    @Test
    void withoutKeysEveryRouteIsOpen() {
        ApiKeys keys = keys(Map.of());
        assertThat(keys.enabled()).isFalse();
        for (RouteGroup group : RouteGroup.values()) {
            assertThat(keys.check(group, null)).isEqualTo(Verdict.ALLOWED);
        }
    }

    @Test
    void groupsTakeTheirKeys() {
        ApiKeys keys = keys(Map.of("zeroserve.auth.api-keys", "a1, a2", "zeroserve.auth.management-api-keys", "m1"));
        assertThat(keys.check(RouteGroup.INFERENCE, "a2")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.INFERENCE, "m1")).isEqualTo(Verdict.WRONG);
        assertThat(keys.check(RouteGroup.INFERENCE, null)).isEqualTo(Verdict.MISSING);
        assertThat(keys.check(RouteGroup.METADATA, "a1")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.METADATA, "m1")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.METRICS, "a1")).isEqualTo(Verdict.WRONG);
        assertThat(keys.check(RouteGroup.STATISTICS, "m1")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.HEALTH, null)).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void withoutManagementKeysTheApiKeysOpenEveryGroupAndGroupsCanBeLeftOpen() {
        ApiKeys keys = keys(Map.of("zeroserve.auth.api-keys", "a1",
                "zeroserve.auth.protected-groups", "inference,statistics,health"));
        assertThat(keys.check(RouteGroup.STATISTICS, "a1")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.STATISTICS, null)).isEqualTo(Verdict.MISSING);
        assertThat(keys.check(RouteGroup.METRICS, null)).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.METADATA, null)).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.HEALTH, null)).as("probes are never protected").isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void aKeyFileIsReadAgainWhenItChangesAndNeverEmptied() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "# comment\nf1\n\nf2,f3\n");
        Map<String, String> settings = new HashMap<>(Map.of("zeroserve.auth.api-keys-file", file.toString()));
        ApiKeys keys = keys(settings);
        assertThat(keys.check(RouteGroup.INFERENCE, "f3")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.INFERENCE, "# comment")).isEqualTo(Verdict.WRONG);

        Files.writeString(file, "g1\n");
        keys.reload();
        assertThat(keys.check(RouteGroup.INFERENCE, "g1")).isEqualTo(Verdict.ALLOWED);
        assertThat(keys.check(RouteGroup.INFERENCE, "f1")).isEqualTo(Verdict.WRONG);

        Files.writeString(file, "  \n");
        keys.reload();
        Files.delete(file);
        keys.reload();
        assertThat(keys.check(RouteGroup.INFERENCE, "g1")).as("kept when emptied or removed")
                .isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void aKeyFileThatCannotServeStopsTheStartNamingItsSetting() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n# nothing\n");
        assertThatThrownBy(() -> keys(Map.of("zeroserve.auth.api-keys-file", empty.toString())))
                .hasMessageContaining("zeroserve.auth.api-keys-file").hasMessageContaining("holds no key");
        assertThatThrownBy(() -> keys(Map.of("zeroserve.auth.management-api-keys-file",
                dir.resolve("missing").toString()))).hasMessageContaining("zeroserve.auth.management-api-keys-file")
                .hasMessageContaining("cannot be read");
    }

    @Test
    void bearerTokensAreParsedAsRfc7235Says() {
        assertThat(ApiKeyCheck.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(ApiKeyCheck.bearer("bearer   abc ")).isEqualTo("abc");
        assertThat(ApiKeyCheck.bearer("Basic YWJj")).isNull();
        assertThat(ApiKeyCheck.bearer("Bearer ")).isNull();
        assertThat(ApiKeyCheck.bearer("Bearerabc")).isNull();
        assertThat(ApiKeyCheck.bearer(null)).isNull();
    }

    @Test
    void keysAreHeldOnlyAsDigests() {
        KeySet set = KeySet.of(java.util.List.of(" secret ", ""));
        assertThat(set.size()).isEqualTo(1);
        assertThat(set.matches("secret")).isTrue();
        assertThat(set.matches("secreT")).isFalse();
        assertThat(set.matches("")).isFalse();
    }
}
