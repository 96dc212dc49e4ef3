package dev.zeroserve.api.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ZeroserveConfig.RouteGroup;

class RouteGroupsTest {
    @Test
    void probesAreNamedExactly() {
        for (String probe : new String[] { "/q/health", "/q/health/ready", "/v2/health/live",
                "/inference.GRPCInferenceService/ServerReady", "/grpc.health.v1.Health/Check" }) {
            assertThat(RouteGroups.of(probe)).as(probe).isEqualTo(RouteGroup.HEALTH);
        }
        // Near misses are not probes: they fall to the most protected group.
        for (String lookalike : new String[] { "/q/health/ready/x", "/v2/health/ready/", "/V2/health/ready",
                "/q/healthz", "/v2/health", "/inference.GRPCInferenceService/ServerReadyX", null }) {
            assertThat(RouteGroups.of(lookalike)).as(lookalike).isEqualTo(RouteGroup.INFERENCE);
        }
    }

    @Test
    void eachRouteFallsInTritonsGroup() {
        assertThat(RouteGroups.of("/v2/models/m/infer")).isEqualTo(RouteGroup.INFERENCE);
        assertThat(RouteGroups.of("/v2/models/m/versions/2/infer")).isEqualTo(RouteGroup.INFERENCE);
        assertThat(RouteGroups.of("/v1/embeddings")).isEqualTo(RouteGroup.INFERENCE);
        assertThat(RouteGroups.of("/inference.GRPCInferenceService/ModelInfer")).isEqualTo(RouteGroup.INFERENCE);
        assertThat(RouteGroups.of("/v2/repository/index")).isEqualTo(RouteGroup.INFERENCE);
        assertThat(RouteGroups.of("/v2")).isEqualTo(RouteGroup.METADATA);
        assertThat(RouteGroups.of("/v2/models/m")).isEqualTo(RouteGroup.METADATA);
        assertThat(RouteGroups.of("/v2/models/m/versions/2/ready")).isEqualTo(RouteGroup.METADATA);
        assertThat(RouteGroups.of("/v1/models/m")).isEqualTo(RouteGroup.METADATA);
        assertThat(RouteGroups.of("/inference.GRPCInferenceService/ModelMetadata")).isEqualTo(RouteGroup.METADATA);
        assertThat(RouteGroups.of("/v2/models/stats")).isEqualTo(RouteGroup.STATISTICS);
        assertThat(RouteGroups.of("/v2/models/m/versions/2/config")).isEqualTo(RouteGroup.STATISTICS);
        assertThat(RouteGroups.of("/inference.GRPCInferenceService/ModelStatistics"))
                .isEqualTo(RouteGroup.STATISTICS);
        assertThat(RouteGroups.of("/q/metrics")).isEqualTo(RouteGroup.METRICS);
    }
}
