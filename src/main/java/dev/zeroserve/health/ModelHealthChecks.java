package dev.zeroserve.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.text.TextEmbedder;

/**
 * Kubernetes and Knative probes: started once the model is loaded and warmed up, ready once its tokenizer (if it has
 * one) is loaded too, so no traffic reaches a pod that cannot answer; live unless loading failed.
 */
@ApplicationScoped
public class ModelHealthChecks {
    private final ModelLifecycle lifecycle;
    private final TextEmbedder embedder;

    ModelHealthChecks(ModelLifecycle lifecycle, TextEmbedder embedder) {
        this.lifecycle = lifecycle;
        this.embedder = embedder;
    }

    @Produces
    @Readiness
    HealthCheck modelReady() {
        return () -> modelState("model-ready", lifecycle.isReady());
    }

    @Produces
    @Readiness
    HealthCheck tokenizerReady() {
        return () -> HealthCheckResponse.named("tokenizer-loaded").status(embedder.tokenizerLoaded()).build();
    }

    @Produces
    @Startup
    HealthCheck modelStarted() {
        return () -> modelState("model-loaded", lifecycle.hasStarted());
    }

    @Produces
    @Liveness
    HealthCheck serverLive() {
        return () -> modelState("server-live", lifecycle.state() != ModelLifecycle.State.FAILED);
    }

    private HealthCheckResponse modelState(String name, boolean up) {
        return HealthCheckResponse.named(name).status(up).withData("state", lifecycle.state().name()).build();
    }
}
