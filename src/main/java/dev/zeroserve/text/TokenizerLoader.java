package dev.zeroserve.text;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.metrics.ColdStart;
import dev.zeroserve.metrics.InferenceMetrics;
import io.quarkus.runtime.Quarkus;
import io.vertx.ext.web.Router;

/**
 * Loads the model's tokenizer beside the model, off the start-up path: the configured one, else the one its model
 * source names; none when the model has none.
 */
@ApplicationScoped
public class TokenizerLoader {
    private static final Logger LOG = Logger.getLogger(TokenizerLoader.class);

    private final ZeroserveConfig.Embeddings config;
    private final Optional<String> uri;
    private final CompletableFuture<TextTokenizer> tokenizer = new CompletableFuture<>();

    private final ColdStart coldStart;

    public TokenizerLoader(ZeroserveConfig config, InferenceMetrics metrics) {
        this.config = config.embeddings();
        this.uri = this.config.tokenizerUri().or(() -> ModelSource.parse(config.model().uri()).defaultTokenizerUri());
        this.coldStart = metrics.coldStart();
    }

    /** Loads on its own thread, as the model loads on another (and as early), so neither delays the other. */
    public void onStart(@Observes Router router) {
        if (uri.isEmpty()) {
            return;
        }
        coldStart.readyAwaits(ColdStart.Phase.TOKENIZER_LOADED);
        Thread loader = new Thread(this::load, "zeroserve-tokenizer-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        try {
            TextTokenizer loaded = TextTokenizer.load(uri.get(), config.maxSequenceLength());
            tokenizer.complete(loaded);
            coldStart.reached(ColdStart.Phase.TOKENIZER_LOADED);
            LOG.infof("Embeddings API on /v1/embeddings: tokenizer %s, %s pooling%s, at most %d tokens per input "
                    + "(%s)", loaded.uri(), config.pooling().name().toLowerCase(),
                    config.normalize() ? ", normalised" : "", config.maxSequenceLength(),
                    config.truncate() ? "longer inputs are truncated" : "longer inputs are refused");
        } catch (RuntimeException | LinkageError e) {
            tokenizer.completeExceptionally(e);
            LOG.errorf(e, "The embeddings API cannot start: %s", e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    /** Whether requests can be tokenized: the tokenizer is loaded, or the model has none (readiness waits for it). */
    public boolean loaded() {
        return uri.isEmpty() || (tokenizer.isDone() && !tokenizer.isCompletedExceptionally());
    }

    /**
     * The tokenizer, or null when the model has none. Never waits for it to load: requests are tokenized on an event
     * loop, and one that comes before readiness (the model can be ready first) is refused as an early v2 request is.
     */
    public TextTokenizer tokenizer() {
        if (uri.isEmpty()) {
            return null;
        }
        if (!tokenizer.isDone()) {
            throw new InferenceException(Status.UNAVAILABLE, "the tokenizer is still loading", 1);
        }
        try {
            return tokenizer.join();
        } catch (CompletionException e) {
            throw new InferenceException(Status.UNAVAILABLE, "the tokenizer could not be loaded: "
                    + e.getCause().getMessage());
        }
    }

    @PreDestroy
    public void close() {
        tokenizer.thenAccept(TextTokenizer::close);
    }
}
