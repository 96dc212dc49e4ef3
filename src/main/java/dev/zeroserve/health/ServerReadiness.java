package dev.zeroserve.health;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.text.TextEmbedder;

/**
 * Whether the server takes traffic, as every readiness endpoint reports it (Kubernetes' {@code /q/health/ready}, v2
 * REST and gRPC {@code ServerReady}, {@code grpc.health.v1}): the model loaded and warmed up, and its tokenizer loaded
 * where it has one, so that a probe over any protocol sends no request to a pod that would refuse it.
 */
@ApplicationScoped
public class ServerReadiness {
    private final ModelLifecycle lifecycle;
    private final TextEmbedder embedder;

    ServerReadiness(ModelLifecycle lifecycle, TextEmbedder embedder) {
        this.lifecycle = lifecycle;
        this.embedder = embedder;
    }

    public boolean isReady() {
        return notReadyBecause() == null;
    }

    /** What is not ready yet, for an answer that says so; null when the server is ready. */
    public String notReadyBecause() {
        if (!lifecycle.isReady()) {
            return "the model is not ready (" + lifecycle.state().name().toLowerCase() + ")";
        }
        return embedder.tokenizerLoaded() ? null : "the model's tokenizer is still loading";
    }
}
