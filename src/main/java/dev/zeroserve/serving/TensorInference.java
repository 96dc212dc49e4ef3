package dev.zeroserve.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.RequestValidator;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.lifecycle.ServedModel;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceTracing;
import dev.zeroserve.scheduling.DynamicBatcher;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * A decoded client request's way through the scheduler and back: resolve the model, validate each request, make its
 * queue entries, admit them, wait, and count the outcome. Answers are completed on the requesting side (the request's
 * Vert.x context), never on a batch worker, so that the adapters' encoding runs beside the model rather than in its
 * way.
 */
final class TensorInference {
    /** Request parameter (Triton's): how long the request may wait, in microseconds, instead of the default. */
    static final String TIMEOUT_PARAMETER = "timeout";

    private final ModelLifecycle lifecycle;
    private final InferenceMetrics metrics;
    private final InferenceTracing tracing;
    private final long defaultTimeoutNanos;
    private final long maxTimeoutMicros;

    TensorInference(ModelLifecycle lifecycle, InferenceMetrics metrics, InferenceTracing tracing,
            ZeroserveConfig config) {
        this.lifecycle = lifecycle;
        this.metrics = metrics;
        this.tracing = tracing;
        this.defaultTimeoutNanos = config.batching().requestTimeout().toNanos();
        this.maxTimeoutMicros = config.limits().maxRequestTimeout().toNanos() / 1000;
    }

    /**
     * One client request made of one or more requests (the texts of an embeddings request), all for the same model
     * with the same parameters: validated and admitted together, and answered, failed and counted as one.
     *
     * @param received when the adapter received the client request ({@link System#nanoTime()}): its timeout and its
     *        duration count from there
     * @return each request's response, in the order of the requests
     */
    CompletionStage<List<InferenceResponse>> run(Protocol protocol, long received, List<InferenceRequest> parts,
            ClientGone clientGone) {
        Context requesting = Vertx.currentContext();
        CompletableFuture<List<InferenceResponse>> result = new CompletableFuture<>();
        try {
            InferenceRequest first = parts.get(0);
            ServedModel model = lifecycle.resolve(first.modelName(), first.modelVersion());
            List<BatchEntry> entries = new ArrayList<>(parts.size());
            int[] firstEntry = new int[parts.size() + 1];
            for (int p = 0; p < parts.size(); p++) {
                firstEntry[p] = entries.size();
                addEntries(parts.get(p), model, entries);
            }
            firstEntry[parts.size()] = entries.size();
            long deadline = deadline(first, received);
            if (first.deadlinePassed(System.nanoTime()) || deadline - System.nanoTime() <= 0) {
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
                                tracing.entriesDone(trace, first.modelName(), admission.timings());
                            }
                            if (failure != null) {
                                result.completeExceptionally(failure);
                            } else {
                                result.complete(responses(parts, firstEntry, outputs, model.metadata()));
                            }
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e); // answered INTERNAL, not left hanging
                        }
                    }));
        } catch (RuntimeException e) {
            // An InferenceException is the client's or a refusal; anything else a bug, answered INTERNAL (unwrap).
            result.completeExceptionally(e);
        }
        return counted(protocol, received, result);
    }

    /** The request's outcome counted as it completes: success or its failure's status, and its time. */
    <T> CompletionStage<T> counted(Protocol protocol, long received, CompletionStage<T> outcome) {
        return outcome.whenComplete((answer, failure) -> {
            long nanos = System.nanoTime() - received;
            if (failure == null) {
                metrics.requestSucceeded(protocol, nanos);
            } else {
                metrics.requestFailed(protocol, InferenceService.unwrap(failure).status(), nanos);
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
     * result is what it would be alone, or as many rows each as the token budget lets one execution hold.
     */
    private static void addEntries(InferenceRequest request, ServedModel model, List<BatchEntry> entries) {
        ModelMetadata metadata = model.metadata();
        List<String> outputs = RequestValidator.validate(request, metadata);
        long rows = metadata.batchable() && !request.inputs().isEmpty() ? request.inputs().get(0).shape()[0] : 1;
        long tokensPerRow = metadata.tokensPerRow(request.inputs());
        BatchEntry whole = new BatchEntry(request.inputs(), outputs, request.padding(), rows, tokensPerRow);
        long piece = rowsPerEntry(model, tokensPerRow);
        if (rows <= piece || !whole.groupable()) {
            entries.add(whole);
            return;
        }
        for (long row = 0; row < rows; row += piece) {
            long count = Math.min(piece, rows - row);
            List<Tensor> inputs = new ArrayList<>(request.inputs().size());
            for (Tensor input : request.inputs()) {
                inputs.add(input.rows(row, count));
            }
            entries.add(new BatchEntry(inputs, outputs, request.padding(), count, tokensPerRow));
        }
    }

    /** Rows of one entry: 1 where rows run alone, else what the token budget lets one execution hold (all without). */
    private static long rowsPerEntry(ServedModel model, long tokensPerRow) {
        if (model.singleRow()) {
            return 1;
        }
        long budget = model.scheduler().settings().maxBatchTokens();
        return budget > 0 && tokensPerRow > 0 ? Math.max(1, budget / tokensPerRow) : Long.MAX_VALUE;
    }

    /** Each request's response, its outputs joined again where its rows ran apart. */
    private static List<InferenceResponse> responses(List<InferenceRequest> parts, int[] firstEntry,
            List<CompletableFuture<List<Tensor>>> outputs, ModelMetadata metadata) {
        List<InferenceResponse> responses = new ArrayList<>(parts.size());
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
            responses.add(new InferenceResponse(metadata.name(), metadata.version(), parts.get(p).id(), own));
        }
        return responses;
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
}
