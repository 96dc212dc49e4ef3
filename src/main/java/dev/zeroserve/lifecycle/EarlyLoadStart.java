package dev.zeroserve.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.text.TokenizerLoader;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.VertxOptions;

/**
 * Starts loading the model and its tokenizer at the earliest point of Quarkus's runtime start that calls application
 * code: Vert.x's creation, which follows the runtime configuration and comes 0.4-1.2 s before the HTTP router is built
 * (on 2 cores), the event a load could start at otherwise. Every cold start waits for the model, and the rest of the
 * boot (Micrometer, gRPC, the HTTP server's sockets) can overlap it. No option is changed.
 * <p>
 * A work-around: Quarkus gives applications no runtime event before the router's ({@code @Initialized} of the
 * application scope runs at static init, before runtime configuration: quarkusio/quarkus#16482); where it gains one,
 * start there and drop this class. Where Vert.x outlives a restart (dev mode's live reload), this is not called again
 * and the loads start when the router is built.
 */
@ApplicationScoped
public class EarlyLoadStart implements VertxOptionsCustomizer {
    private final ModelLifecycle model;
    private final TokenizerLoader tokenizer;

    EarlyLoadStart(ModelLifecycle model, TokenizerLoader tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    @Override
    public void accept(VertxOptions options) {
        model.startLoading();
        tokenizer.startLoading();
    }
}
