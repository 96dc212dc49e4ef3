package dev.zeroserve.inference;

import java.util.ArrayList;
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
import dev.zeroserve.scheduling.DynamicBatcher;

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
        return inferParts(protocol, () -> List.of(decoder.get())).thenApply(exchanges -> exchanges.get(0));
    }

    /**
     * One client request that needs several model calls, such as texts of different lengths: the parts are
     * validated and queued together, and the request succeeds or fails, and is counted, as one.
     *
     * @param decoder turns the wire request into its parts, all for the same model, with the same parameters
     * @return each part's exchange, in the order of the parts
     */
    public CompletionStage<List<Exchange>> inferParts(Protocol protocol, Supplier<List<InferenceRequest>> decoder) {
        long received = System.nanoTime();
        CompletableFuture<List<Exchange>> result;
        try {
            List<InferenceRequest> parts = decoder.get();
            OnnxModel model = lifecycle.resolve(parts.get(0).modelName(), parts.get(0).modelVersion());
            List<DynamicBatcher.Work> work = new ArrayList<>(parts.size());
            for (InferenceRequest part : parts) {
                work.add(new DynamicBatcher.Work(part.inputs(), RequestValidator.validate(part, model.metadata()),
                        part.padding()));
            }
            long deadline = deadline(parts.get(0), received);
            if (parts.get(0).deadlinePassed(System.nanoTime()) || deadline - System.nanoTime() <= 0) {
                throw new InferenceException(Status.DEADLINE_EXCEEDED, "the request's deadline passed before it ran");
            }
            List<CompletableFuture<List<Tensor>>> outputs = lifecycle.batcher().submitAll(work, deadline);
            result = CompletableFuture.allOf(outputs.toArray(CompletableFuture[]::new)).thenApply(done -> {
                List<Exchange> exchanges = new ArrayList<>(parts.size());
                for (int i = 0; i < parts.size(); i++) {
                    InferenceRequest part = parts.get(i);
                    exchanges.add(new Exchange(part, new InferenceResponse(model.metadata().name(),
                            model.metadata().version(), part.id(), outputs.get(i).join())));
                }
                return exchanges;
            });
        } catch (InferenceException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((exchanges, failure) -> {
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
