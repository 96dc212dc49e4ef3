package dev.zeroserve.api.transport;

import java.util.Set;
import java.util.regex.Pattern;

import dev.zeroserve.config.ZeroserveConfig.RouteGroup;

/**
 * Which group a request's route belongs to, from its normalized path alone (method and body play no part, so no
 * request can look like a probe by what it sends). Probes and metadata are named exactly; what matches nothing is
 * inference, the most protected group, so that a route added later is protected until it is classified here.
 */
final class RouteGroups {
    private static final String GRPC_SERVICE = "/inference.GRPCInferenceService/";
    private static final Set<String> HEALTH = Set.of("/q/health", "/q/health/live", "/q/health/ready",
            "/q/health/started", "/q/health/well", "/v2/health/live", "/v2/health/ready",
            GRPC_SERVICE + "ServerLive", GRPC_SERVICE + "ServerReady", "/grpc.health.v1.Health/Check",
            "/grpc.health.v1.Health/Watch");
    private static final Set<String> GRPC_METADATA = Set.of(GRPC_SERVICE + "ServerMetadata",
            GRPC_SERVICE + "ModelMetadata", GRPC_SERVICE + "ModelReady");
    private static final Set<String> GRPC_STATISTICS = Set.of(GRPC_SERVICE + "ModelStatistics",
            GRPC_SERVICE + "ModelConfig");
    private static final String SEGMENT = "/[^/]+";
    private static final String MODEL = "/v2/models" + SEGMENT + "(/versions" + SEGMENT + ")?";
    private static final Pattern STATISTICS = Pattern.compile("/v2/models/stats|" + MODEL + "/(stats|config)");
    private static final Pattern METADATA = Pattern.compile("/v2|" + MODEL + "(/ready)?|/v1/models(" + SEGMENT
            + ")?");

    private RouteGroups() {
    }

    static RouteGroup of(String path) {
        if (path == null) {
            return RouteGroup.INFERENCE;
        }
        if (HEALTH.contains(path)) {
            return RouteGroup.HEALTH;
        }
        if (path.equals("/q/metrics")) {
            return RouteGroup.METRICS;
        }
        if (GRPC_STATISTICS.contains(path) || STATISTICS.matcher(path).matches()) {
            return RouteGroup.STATISTICS;
        }
        if (GRPC_METADATA.contains(path) || METADATA.matcher(path).matches()) {
            return RouteGroup.METADATA;
        }
        return RouteGroup.INFERENCE;
    }
}
