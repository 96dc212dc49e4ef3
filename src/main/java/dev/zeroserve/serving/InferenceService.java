package dev.zeroserve.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.RequestValidator;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.lifecycle.ServedModel;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceTracing;
import dev.zeroserve.metrics.InferenceMetrics.Protocol;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.scheduling.DynamicBatcher;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Where every protocol adapter sends its requests: decodes (through the adapter's codec), resolves the model once,
 * validates, queues the request's entries, and counts the outcome, so that no adapter repeats any of it. Answers are
 * completed on the requesting side (the request's Vert.x context), never on a batch worker, so that the adapters'
 * encoding runs beside the model rather than in its way.
 */
@ApplicationScoped
public class InferenceService {
    /** Request parameter (Triton's): how long the request may wait, in microseconds, instead of the default. */
    public static final String TIMEOUT_PARAMETER = "timeout";

    /** A decoded request and its response, for the adapter to encode. */
    public record Exchange(InferenceRequest request, InferenceResponse response) {
    }

    private final ModelLifecycle lifecycle;
    private final InferenceMetrics metrics;
    private final InferenceTracing tracing;
    private final long defaultTimeoutNanos;
    private final long maxTimeoutMicros;

    InferenceService(ModelLifecycle lifecycle, InferenceMetrics metrics, InferenceTracing tracing,
            ZeroserveConfig config) {
        this.lifecycle = lifecycle;
        this.metrics = metrics;
        this.tracing = tracing;
        this.defaultTimeoutNanos = config.batching().requestTimeout().toNanos();
        this.maxTimeoutMicros = config.limits().maxRequestTimeout().toNanos() / 1000;
    }

    /**
     * @param version the requested version, or null for the served one
     * @param decoder turns the wire request into the canonical one, given the model it is for; its failures count
     *        as the request's
     */
    public CompletionStage<Exchange> infer(Protocol protocol, String model, String version,
            Function<ModelMetadata, InferenceRequest> decoder, ClientGone clientGone) {
        return inferParts(protocol, model, version, metadata -> List.of(decoder.apply(metadata)), clientGone)
                .thenApply(exchanges -> exchanges.get(0));
    }

    /**
     * One client request made of several requests, such as the texts of an embeddings request: they are validated
     * and admitted together, and the client request succeeds or fails, and is counted, as one.
     *
     * @param decoder turns the wire request into its parts, all with the same parameters
     * @return each part's exchange, in the order of the parts
     */
    public CompletionStage<List<Exchange>> inferParts(Protocol protocol, String modelName, String version,
            Function<ModelMetadata, List<InferenceRequest>> decoder, ClientGone clientGone) {
        long received = System.nanoTime();
        Context requesting = Vertx.currentContext();
        CompletableFuture<List<Exchange>> result = new CompletableFuture<>();
        try {
            ServedModel model = lifecycle.resolve(modelName, version);
            List<InferenceRequest> parts = decoder.apply(model.metadata());
            List<BatchEntry> entries = new ArrayList<>(parts.size());
            int[] firstEntry = new int[parts.size() + 1];
            for (int p = 0; p < parts.size(); p++) {
                firstEntry[p] = entries.size();
                addEntries(parts.get(p), model, entries);
            }
            firstEntry[parts.size()] = entries.size();
            long deadline = deadline(parts.get(0), received);
            if (parts.get(0).deadlinePassed(System.nanoTime()) || deadline - System.nanoTime() <= 0) {
                throw new InferenceException(Status.DEADLINE_EXCEEDED, "the request's deadline passed before it ran");
            }
            io.opentelemetry.context.Context trace = tracing.sampled();
            DynamicBatcher.Admission admission = model.scheduler().submit(entries, deadline);
            clientGone.onGone(admission::cancel);
            List<CompletableFuture<List<Tensor>>> outputs = admission.results();
            CompletableFuture.allOf(outputs.toArray(CompletableFuture[]::new)).whenComplete((done, failure) ->
                    EventLoopWork.answeringSide(requesting, failure == null && bytes(outputs) > EventLoopWork
                            .INLINE_BYTES).execute(() -> {
                        try {
                            if (trace != null) {
                                tracing.entriesDone(trace, modelName, admission.timings());
                            }
                            if (failure != null) {
                                result.completeExceptionally(failure);
                            } else {
                                result.complete(exchanges(parts, firstEntry, outputs, model.metadata()));
                            }
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e); // answered INTERNAL, not left hanging
                        }
                    }));
        } catch (RuntimeException e) {
            // An InferenceException is the client's or a refusal; anything else a bug, answered INTERNAL (unwrap).
            result.completeExceptionally(e);
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

    /** The bytes of the outputs of a request's entries, all computed. */
    private static long bytes(List<CompletableFuture<List<Tensor>>> outputs) {
        long bytes = 0;
        for (CompletableFuture<List<Tensor>> entry : outputs) {
            for (Tensor tensor : entry.join()) {
                bytes += tensor.data().remaining();
            }
        }
        return bytes;
    }

    /**
     * The request's entries: one, or one per row where the model must not batch rows together, so that each row's
     * result is what it would be alone.
     */
    private static void addEntries(InferenceRequest request, ServedModel model, List<BatchEntry> entries) {
        ModelMetadata metadata = model.metadata();
        List<String> outputs = RequestValidator.validate(request, metadata);
        long rows = metadata.batchable() && !request.inputs().isEmpty() ? request.inputs().get(0).shape()[0] : 1;
        BatchEntry whole = new BatchEntry(request.inputs(), outputs, request.padding(), rows);
        if (!model.singleRow() || rows <= 1 || !whole.groupable()) {
            entries.add(whole);
            return;
        }
        for (long row = 0; row < rows; row++) {
            List<Tensor> inputs = new ArrayList<>(request.inputs().size());
            for (Tensor input : request.inputs()) {
                inputs.add(input.rows(row, 1));
            }
            entries.add(new BatchEntry(inputs, outputs, request.padding(), 1));
        }
    }

    /** Each part's response, its outputs joined again where its rows ran apart. */
    private static List<Exchange> exchanges(List<InferenceRequest> parts, int[] firstEntry,
            List<CompletableFuture<List<Tensor>>> outputs, ModelMetadata metadata) {
        List<Exchange> exchanges = new ArrayList<>(parts.size());
        for (int p = 0; p < parts.size(); p++) {
            List<Tensor> own = outputs.get(firstEntry[p]).join();
            int entryCount = firstEntry[p + 1] - firstEntry[p];
            if (entryCount > 1) {
                List<Tensor> joined = new ArrayList<>(own.size());
                for (int o = 0; o < own.size(); o++) {
                    List<Tensor> rows = new ArrayList<>(entryCount);
                    for (int e = firstEntry[p]; e < firstEntry[p + 1]; e++) {
                        rows.add(outputs.get(e).join().get(o));
                    }
                    joined.add(Tensor.concatenate(rows));
                }
                own = joined;
            }
            InferenceRequest part = parts.get(p);
            exchanges.add(new Exchange(part, new InferenceResponse(metadata.name(), metadata.version(), part.id(),
                    own)));
        }
        return exchanges;
    }

    /**
     * The earlier of the client's deadline (gRPC's grpc-timeout) and the request timeout: the request's own, up to
     * zeroserve.limits.max-request-timeout, else the default.
     */
    private long deadline(InferenceRequest request, long received) {
        long timeout = defaultTimeoutNanos;
        Object asked = request.parameters().get(TIMEOUT_PARAMETER);
        if (asked != null) {
            if (!(asked instanceof Number micros) || asked instanceof Double || micros.longValue() <= 0) {
                throw InferenceException.invalid("parameter 'timeout' must be a positive number of microseconds");
            }
            // Cut, not refused: a timeout says how long the client is willing to wait, and most requests are answered
            // in milliseconds, so a refusal would fail requests that succeed within the cap; one that does wait that
            // long gets the 504 it would have got later.
            timeout = Math.min(micros.longValue(), maxTimeoutMicros) * 1000L;
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
