package dev.zeroserve.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.text.TokenizerLoader;

/**
 * The server's health, as every probe reports it: started once the model is loaded and warmed up; ready once its
 * tokenizer (if it has one) is loaded too, so that no traffic reaches a pod that cannot answer, whichever protocol
 * probes it (Kubernetes' {@code /q/health/*} checks here, and {@link #notReadyBecause()} for v2 REST and gRPC
 * {@code ServerReady} and {@code grpc.health.v1}); live unless loading failed.
 */
@ApplicationScoped
public class ServerHealth {
    private final ModelLifecycle lifecycle;
    private final TokenizerLoader tokenizer;

    public ServerHealth(ModelLifecycle lifecycle, TokenizerLoader tokenizer) {
        this.lifecycle = lifecycle;
        this.tokenizer = tokenizer;
    }

    /** Live unless the model failed to load: the one answer of every liveness question. */
    public boolean isLive() {
        return lifecycle.isLive();
    }

    public boolean isReady() {
        return notReadyBecause() == null;
    }

    /** What is not ready yet, for an answer that says so; null when the server is ready. */
    public String notReadyBecause() {
        if (!lifecycle.isReady()) {
            return "the model is not ready (" + lifecycle.state().name().toLowerCase() + ")";
        }
        return tokenizer.loaded() ? null : "the model's tokenizer is still loading";
    }

    @Produces
    @Readiness
    HealthCheck modelReady() {
        return () -> modelState("model-ready", lifecycle.isReady());
    }

    @Produces
    @Readiness
    HealthCheck tokenizerReady() {
        return () -> HealthCheckResponse.named("tokenizer-loaded").status(tokenizer.loaded()).build();
    }

    @Produces
    @Startup
    HealthCheck modelStarted() {
        return () -> modelState("model-loaded", lifecycle.hasStarted());
    }

    @Produces
    @Liveness
    HealthCheck serverLive() {
        return () -> modelState("server-live", isLive());
    }

    private HealthCheckResponse modelState(String name, boolean up) {
        return HealthCheckResponse.named(name).status(up).withData("state", lifecycle.state().name()).build();
    }
}
