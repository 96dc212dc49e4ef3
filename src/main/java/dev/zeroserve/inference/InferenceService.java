package dev.zeroserve.inference;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.engine.OnnxModel;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceMetrics.Protocol;
import dev.zeroserve.model.ZeroserveConfig;

/**
 * Where every protocol adapter sends its requests: decodes (through the adapter's codec), resolves the model,
 * validates, queues for the batcher, and counts the outcome, so that no adapter repeats any of it.
 */
@ApplicationScoped
public class InferenceService {
    /** Request parameter (Triton's): how long the request may wait, in microseconds, instead of the default. */
    public static final String TIMEOUT_PARAMETER = "timeout";

    private static final long MAX_TIMEOUT_MICROS = 86_400_000_000L;

    /** A decoded request and its response, for the adapter to encode. */
    public record Exchange(InferenceRequest request, InferenceResponse response) {
    }

    private final ModelLifecycle lifecycle;
    private final InferenceMetrics metrics;
    private final long defaultTimeoutNanos;

    InferenceService(ModelLifecycle lifecycle, InferenceMetrics metrics, ZeroserveConfig config) {
        this.lifecycle = lifecycle;
        this.metrics = metrics;
        this.defaultTimeoutNanos = config.batching().requestTimeout().toNanos();
    }

    /** @param decoder turns the wire request into the canonical one; its failures count as the request's */
    public CompletionStage<Exchange> infer(Protocol protocol, Supplier<InferenceRequest> decoder) {
        long received = System.nanoTime();
        CompletableFuture<Exchange> result;
        try {
            InferenceRequest request = decoder.get();
            OnnxModel model = lifecycle.resolve(request.modelName(), request.modelVersion());
            List<String> outputs = RequestValidator.validate(request, model.metadata());
            long deadline = deadline(request, received);
            if (request.deadlinePassed(System.nanoTime()) || deadline - System.nanoTime() <= 0) {
                throw new InferenceException(Status.DEADLINE_EXCEEDED, "the request's deadline passed before it ran");
            }
            result = lifecycle.batcher().submit(request.inputs(), outputs, deadline)
                    .thenApply(tensors -> new Exchange(request, new InferenceResponse(model.metadata().name(),
                            model.metadata().version(), request.id(), tensors)));
        } catch (InferenceException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((exchange, failure) -> {
            long nanos = System.nanoTime() - received;
            if (failure == null) {
                metrics.requestSucceeded(protocol, nanos);
            } else {
                metrics.requestFailed(protocol, statusOf(failure), nanos);
            }
        });
    }

    /** The earlier of the client's deadline and the request timeout (the request's own, else the default). */
    private long deadline(InferenceRequest request, long received) {
        long timeout = defaultTimeoutNanos;
        Object asked = request.parameters().get(TIMEOUT_PARAMETER);
        if (asked != null) {
            if (!(asked instanceof Number micros) || asked instanceof Double || micros.longValue() <= 0) {
                throw InferenceException.invalid("parameter 'timeout' must be a positive number of microseconds");
            }
            timeout = Math.min(micros.longValue(), MAX_TIMEOUT_MICROS) * 1000L;
        }
        long fromTimeout = received + timeout;
        return request.deadlineNanos() == InferenceRequest.NO_DEADLINE
                || fromTimeout - request.deadlineNanos() < 0 ? fromTimeout : request.deadlineNanos();
    }

    /** The failure a stage completed with, as the status vocabulary. */
    public static InferenceException unwrap(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return cause instanceof InferenceException e ? e
                : new InferenceException(Status.INTERNAL, "inference failed: " + cause, cause);
    }

    private static Status statusOf(Throwable failure) {
        return unwrap(failure).status();
    }
}
