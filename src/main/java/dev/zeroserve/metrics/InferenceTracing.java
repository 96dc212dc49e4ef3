package dev.zeroserve.metrics;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.scheduling.EntryTiming;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * The spans under a traced request's server span (the one Quarkus opens for REST and gRPC, continuing the caller's
 * W3C {@code traceparent}): per entry, the time it waited in the queue and the model execution it shared, with that
 * execution's size. They are written after the fact from the batcher's timings, so a batch worker never touches a
 * span, and an untraced request (tracing off, or not sampled) costs one check.
 */
@ApplicationScoped
public class InferenceTracing {
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("zeroserve.model");
    static final AttributeKey<Long> ENTRY = AttributeKey.longKey("zeroserve.entry");
    static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("zeroserve.batch.size");

    private final Tracer tracer;

    public InferenceTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The request's trace context where it is sampled, else null: nothing more is done for it. */
    public Context sampled() {
        Context context = Context.current();
        return Span.fromContext(context).getSpanContext().isSampled() ? context : null;
    }

    /** Writes the queue and execution spans of a request's entries, once they are answered. */
    public void entriesDone(Context request, String model, List<EntryTiming> timings) {
        long now = System.nanoTime();
        Instant wallNow = Instant.now();
        long epochOffset = wallNow.getEpochSecond() * 1_000_000_000L + wallNow.getNano() - now;
        for (int i = 0; i < timings.size(); i++) {
            EntryTiming timing = timings.get(i);
            long queueEnd = timing.ran() ? timing.startedNanos() : now;
            span("queue", request, model, i, timing.enqueuedNanos() + epochOffset)
                    .end(queueEnd + epochOffset, TimeUnit.NANOSECONDS);
            if (timing.ran()) {
                span("execute", request, model, i, timing.startedNanos() + epochOffset)
                        .setAttribute(BATCH_SIZE, timing.batchRows())
                        .end(timing.finishedNanos() + epochOffset, TimeUnit.NANOSECONDS);
            }
        }
    }

    private Span span(String name, Context parent, String model, int entry, long startEpochNanos) {
        return tracer.spanBuilder(name).setParent(parent).setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
                .setAttribute(MODEL, model).setAttribute(ENTRY, (long) entry).startSpan();
    }
}
