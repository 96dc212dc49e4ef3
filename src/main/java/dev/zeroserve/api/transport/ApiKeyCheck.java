package dev.zeroserve.api.transport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.config.ZeroserveConfig.RouteGroup;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Checks the API key of every REST request and gRPC call ({@code Authorization: Bearer <key>}; gRPC metadata is the
 * same header) before anything else sees it, so an unauthenticated upload is answered 401 / UNAUTHENTICATED without
 * its body being read. Every hop behind the port, the deflate relay's included, passes here again.
 */
@ApplicationScoped
public class ApiKeyCheck {
    private static final Logger LOG = Logger.getLogger(ApiKeyCheck.class);
    private static final String BEARER = "bearer ";

    private final ApiKeys keys;
    private final long fileCheckMillis;
    private final MeterRegistry registry;

    ApiKeyCheck(ZeroserveConfig config, MeterRegistry registry) {
        this.keys = new ApiKeys(config.auth());
        this.fileCheckMillis = config.auth().keysFileCheckInterval().toMillis();
        this.registry = registry;
    }

    void install(@Observes Router router) {
        router.route().order(TransportOrder.API_KEYS).handler(this::check);
    }

    void announce(@Observes StartupEvent started, Vertx vertx) {
        if (!keys.enabled()) {
            LOG.warn("API keys are off: every route answers any client that reaches the port. Set "
                    + "zeroserve.auth.api-keys or zeroserve.auth.api-keys-file (ZEROSERVE_AUTH_API_KEYS) to require "
                    + "'Authorization: Bearer <key>'.");
        } else {
            LOG.infof("API keys on: %s", keys.describe());
        }
        if (keys.watchesFiles()) {
            vertx.setPeriodic(fileCheckMillis, fileCheckMillis,
                    timer -> vertx.executeBlocking(() -> {
                        keys.reload();
                        return null;
                    }, false));
        }
    }

    private void check(RoutingContext context) {
        RouteGroup group = RouteGroups.of(context.normalizedPath());
        ApiKeys.Verdict verdict = keys.check(group, bearer(context.request().getHeader(HttpHeaders.AUTHORIZATION)));
        if (verdict == ApiKeys.Verdict.ALLOWED) {
            context.next();
            return;
        }
        // RFC 6750: a missing token gets the bare challenge, a wrong one error="invalid_token".
        boolean missing = verdict == ApiKeys.Verdict.MISSING;
        registry.counter("zeroserve.auth.refusals", "group", group.name().toLowerCase(), "reason",
                missing ? "missing" : "wrong").increment();
        context.response().putHeader("WWW-Authenticate",
                missing ? "Bearer" : "Bearer error=\"invalid_token\"");
        Refusals.refuseUnread(context, 401, Status.Code.UNAUTHENTICATED, missing
                ? "an API key is required for " + group.name().toLowerCase() + " routes: send 'Authorization: Bearer "
                        + "<key>' (gRPC: 'authorization' metadata)"
                : "the API key is not valid for " + group.name().toLowerCase() + " routes");
    }

    /** The token of a Bearer credential (the scheme is case-insensitive, RFC 7235), or null. */
    static String bearer(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }
}
