package dev.zeroserve.serving;

import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.health.ServerHealth;
import dev.zeroserve.inference.EmbeddingInputs;
import dev.zeroserve.inference.EmbeddingLimits;
import dev.zeroserve.inference.Embeddings;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.InferenceStatistics;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.Status;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.lifecycle.ServedModel;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceTracing;
import dev.zeroserve.text.EmbeddingPlan;
import dev.zeroserve.text.TextEmbedder;
import dev.zeroserve.text.TokenizedInputs;

/**
 * The serving API, the one thing every protocol adapter calls (as Triton's frontends call {@code tritonserver.h}):
 * the questions of the v2 protocol (live, ready, model ready, server and model metadata, model configuration,
 * statistics), and inference on a request the adapter has decoded, its tensors or its texts. Failures are in the
 * status vocabulary ({@link InferenceException}), which each adapter maps to its protocol once.
 *
 * <p>An inference request is timed and counted from when its adapter received it, decoding included: an adapter
 * passes that moment to {@link #infer}, or, where decoding failed, to {@link #failed}, so that every request is
 * counted once, by its outcome.
 */
@ApplicationScoped
public class InferenceService {
    private final ModelLifecycle lifecycle;
    private final ServerHealth health;
    private final InferenceMetrics metrics;
    private final TextEmbedder embedder;
    private final TensorInference inference;
    private final ServerMetadata server;
    private final int deviceId;
    private final long maxElements;

    InferenceService(ModelLifecycle lifecycle, ServerHealth health, InferenceMetrics metrics, InferenceTracing tracing,
            TextEmbedder embedder, ZeroserveConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.lifecycle = lifecycle;
        this.health = health;
        this.metrics = metrics;
        this.embedder = embedder;
        this.inference = new TensorInference(lifecycle, metrics, tracing, config);
        this.server = new ServerMetadata(ServerMetadata.NAME, version, ServerMetadata.EXTENSIONS);
        this.deviceId = config.engine().deviceId();
        this.maxElements = config.limits().maxElements();
    }

    /** Live unless the model failed to load. */
    public boolean live() {
        return health.isLive();
    }

    /** Ready for requests: the model loaded and warmed up, its tokenizer (if any) loaded, not draining. */
    public boolean ready() {
        return health.isReady();
    }

    /** What is not ready yet, for an answer that says so; null when the server is ready. */
    public String notReadyBecause() {
        return health.notReadyBecause();
    }

    public ServerMetadata serverMetadata() {
        return server;
    }

    /** The name the model is served under, known before it is loaded. */
    public String modelName() {
        return lifecycle.modelName();
    }

    /**
     * @param version the requested version, or null for the served one
     * @throws InferenceException NOT_FOUND for another model or version, UNAVAILABLE while the model is not ready
     */
    public ModelMetadata modelMetadata(String name, String version) {
        return lifecycle.resolve(name, version).metadata();
    }

    /**
     * Whether the model is ready; false while it loads or after it failed.
     *
     * @throws InferenceException NOT_FOUND for another model or version
     */
    public boolean modelReady(String name, String version) {
        try {
            lifecycle.resolve(name, version);
            return true;
        } catch (InferenceException e) {
            if (e.status() == Status.UNAVAILABLE) {
                return false;
            }
            throw e;
        }
    }

    /** @throws InferenceException as {@link #modelMetadata} */
    public ModelConfiguration modelConfig(String name, String version) {
        ServedModel model = lifecycle.resolve(name, version);
        return new ModelConfiguration(model.metadata(), model.maxBatchSize(), model.parallelExecutions(),
                model.maxQueueDelayMicros(), deviceId);
    }

    /** @throws InferenceException as {@link #modelMetadata} */
    public InferenceStatistics statistics(String name, String version) {
        return metrics.statistics(lifecycle.resolve(name, version).metadata());
    }

    /**
     * Runs a decoded request on its model (its name and version are the request's): validates it, admits its entries
     * to the scheduler, and answers on the requesting side (the caller's Vert.x context).
     *
     * @param received when the adapter received the request ({@link System#nanoTime()}), before decoding it: the
     *        request's timeout and its counted duration start there
     * @param clientGone how the adapter reports that its client has gone, which cancels the request
     * @return the response, or a failure in the status vocabulary (see {@link #unwrap})
     */
    public CompletionStage<InferenceResponse> infer(Protocol protocol, long received, InferenceRequest request,
            ClientGone clientGone) {
        return inference.run(protocol, received, List.of(request), clientGone)
                .thenApply(responses -> responses.get(0));
    }

    /**
     * Counts a request that failed before it could be run (its body could not be decoded, its model is not served),
     * as {@link #infer} counts its own failures, and returns that failure for the adapter to answer.
     *
     * @param received as for {@link #infer}
     */
    public <T> CompletionStage<T> failed(Protocol protocol, long received, Throwable failure) {
        return inference.counted(protocol, received, CompletableFuture.failedFuture(failure));
    }

    /** The largest element count one input tensor may declare (zeroserve.limits.max-elements), for the decoders. */
    public long maxElements() {
        return maxElements;
    }

    /** The bounds of one embeddings request, for the adapter that reads its body. */
    public EmbeddingLimits embeddingLimits() {
        return embedder.limits();
    }

    /**
     * Embeds texts (or token id sequences) as one client request of the OpenAI protocol, in four steps: tokenize,
     * one request per text (so that the scheduler alone decides which texts, of this client or others, share an
     * execution), wait for all of them, pool each text's token vectors on the requesting side.
     *
     * @param dimensions the size asked for, if any
     * @return the embeddings, or a failure: an {@link dev.zeroserve.inference.InvalidEmbeddingRequest} for bad input,
     *         NOT_FOUND for another model, and the statuses of {@link #infer}
     */
    public CompletionStage<Embeddings> embed(String model, EmbeddingInputs inputs, OptionalInt dimensions,
            ClientGone clientGone) {
        long received = System.nanoTime();
        TokenizedInputs tokens;
        List<InferenceRequest> requests;
        try {
            EmbeddingPlan plan = embedder.plan(modelMetadata(model, null));
            tokens = embedder.tokenize(plan, inputs, dimensions);
            requests = plan.requests(model, tokens);
        } catch (RuntimeException e) {
            return failed(Protocol.OPENAI, received, e);
        }
        return inference.run(Protocol.OPENAI, received, requests, clientGone).thenApply(responses -> {
            Embeddings embeddings = embedder.pool(tokens, responses, dimensions);
            metrics.requestTokens(Protocol.OPENAI, embeddings.promptTokens());
            return embeddings;
        });
    }

    /** The failure a stage completed with, as the status vocabulary: anything but an InferenceException is INTERNAL. */
    public static InferenceException unwrap(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return cause instanceof InferenceException e ? e
                : new InferenceException(Status.INTERNAL, "inference failed: " + cause, cause);
    }
}
