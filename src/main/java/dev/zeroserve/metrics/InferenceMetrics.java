package dev.zeroserve.metrics;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.InferenceStatistics;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.scheduling.BatchObserver;
import dev.zeroserve.scheduling.DynamicBatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;

/**
 * Every meter in one place, per model and version, with Triton's meaning (see the metrics table in docs/operations.md). Labels are
 * bounded: model, version, protocol, reason; never anything per request. What it is told is also added to
 * {@link TritonStatistics}, which the v2 statistics extension reads.
 */
@ApplicationScoped
public class InferenceMetrics {
    private static final double[] BATCH_SIZES = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
    private static final double[] TOKENS = { 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768 };
    private static final Duration MIN_LATENCY = Duration.ofMillis(1);
    private static final Duration MAX_LATENCY = Duration.ofSeconds(30);

    /** One batch size's executions: the model-wide timers, and Triton's per-size counters beside them. */
    private final class PhaseObserver implements RunObserver {
        private final TritonStatistics.BatchSize size;

        PhaseObserver(long rows) {
            this.size = statistics.batchSize(rows);
        }

        @Override
        public void computeInput(long elapsed) {
            computeInput.record(elapsed, TimeUnit.NANOSECONDS);
            size.add(TritonStatistics.BatchSize.INPUT, elapsed);
        }

        @Override
        public void computeInfer(long elapsed) {
            computeInfer.record(elapsed, TimeUnit.NANOSECONDS);
            size.add(TritonStatistics.BatchSize.INFER, elapsed);
        }

        @Override
        public void computeOutput(long elapsed) {
            computeOutput.record(elapsed, TimeUnit.NANOSECONDS);
            size.add(TritonStatistics.BatchSize.OUTPUT, elapsed);
        }
    }

    private final MeterRegistry registry;
    private final TritonStatistics statistics = new TritonStatistics();
    private final ColdStart coldStart;
    private volatile RequestMeters requestMeters = new RequestMeters(Tags.of("model", "", "version", ""));
    private volatile Timer queueTime;
    private volatile Timer computeInput;
    private volatile Timer computeInfer;
    private volatile Timer computeOutput;
    private volatile Counter inferences;
    private volatile Counter executions;
    private volatile DistributionSummary batchSize;
    private volatile Counter batchSplits;
    private final ConcurrentHashMap<Long, PhaseObserver> phaseObservers = new ConcurrentHashMap<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.coldStart = new ColdStart(registry);
    }

    /** Where this process's cold start went. */
    public ColdStart coldStart() {
        return coldStart;
    }

    void onStart(@Observes StartupEvent event) {
        coldStart.reached(ColdStart.Phase.QUARKUS_STARTED);
    }

    /** Registers the model's meters once it is loaded; the gauges read the batcher. */
    public void modelReady(ModelMetadata metadata, DynamicBatcher batcher, long loadNanos) {
        Tags tags = Tags.of("model", metadata.name(), "version", metadata.version());
        requestMeters = new RequestMeters(tags);
        queueTime = latency("zeroserve.queue.duration", "Time requests waited in the queue", tags);
        computeInput = latency("zeroserve.compute.input.duration", "Time preparing a batch's input tensors", tags);
        computeInfer = latency("zeroserve.compute.infer.duration", "Time ONNX Runtime spent running a batch", tags);
        computeOutput = latency("zeroserve.compute.output.duration", "Time reading a batch's output tensors", tags);
        inferences = Counter.builder("zeroserve.inference.count").description("Inferences: rows along the batch "
                + "dimension (a batch of n counts n)").tags(tags).register(registry);
        executions = Counter.builder("zeroserve.execution.count").description("Model executions (batches)")
                .tags(tags).register(registry);
        batchSplits = Counter.builder("zeroserve.batch.split.count").description("Failed executions of several "
                + "entries split in two and run again, so that only the failing requests fail").tags(tags)
                .register(registry);
        batchSize = DistributionSummary.builder("zeroserve.batch.size").description("Rows per model execution")
                .serviceLevelObjectives(BATCH_SIZES).tags(tags).register(registry);
        Gauge.builder("zeroserve.queue.depth", batcher, DynamicBatcher::queueDepth)
                .description("Rows (v2 batch rows, texts) waiting in the queue").tags(tags).register(registry);
        Gauge.builder("zeroserve.inflight.requests", batcher, DynamicBatcher::inFlight)
                .description("Rows admitted and not yet answered, queued or running (a request of n rows or texts "
                        + "counts n)").tags(tags)
                .register(registry);
        Gauge.builder("zeroserve.admission.limit", batcher, DynamicBatcher::admissionLimit)
                .description("Rows the pod holds at once, running and queued, before it refuses (503); "
                        + "containerConcurrency is derived from it").tags(tags).register(registry);
        Gauge.builder("zeroserve.model.load.duration", () -> loadNanos / 1e9).baseUnit("seconds")
                .description("Time to load and warm up the model").tags(tags).register(registry);
        Gauge.builder("zeroserve.model.info", () -> 1)
                .description("The served model; labels name its execution provider")
                .tags(tags.and("execution_provider", metadata.properties().get(ModelMetadata.EXECUTION_PROVIDER),
                        "onnxruntime_version", metadata.properties().getOrDefault("onnxruntime_version", "")))
                .register(registry);
    }

    private Timer latency(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
                .minimumExpectedValue(MIN_LATENCY).maximumExpectedValue(MAX_LATENCY).register(registry);
    }

    /** Triton's statistics of the model since start. */
    public InferenceStatistics statistics(ModelMetadata model) {
        return statistics.snapshot(model);
    }

    public void requestSucceeded(Protocol protocol, long nanos) {
        coldStart.answered();
        statistics.requestSucceeded(nanos);
        RequestMeters meters = requestMeters;
        meters.success(protocol).increment();
        meters.duration(protocol).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void requestFailed(Protocol protocol, Status status, long nanos) {
        statistics.requestFailed(nanos);
        RequestMeters meters = requestMeters;
        meters.failure(protocol, status).increment();
        meters.duration(protocol).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Tokens of one successful text request (the OpenAI usage's prompt_tokens). */
    public void requestTokens(Protocol protocol, long tokens) {
        requestMeters.tokens(protocol).record(tokens);
    }

    /**
     * The per-request meters under one model's tags, each registered on its first use (a protocol's series appear
     * once it has requests) and then found by index: building a meter's id for every request, its tags merged and
     * sorted and then looked up in the registry, was 15 % of the bytes an embeddings request allocated. Two threads
     * may register the same meter at once; the registry gives both the same one.
     */
    private final class RequestMeters {
        private static final int PROTOCOLS = Protocol.values().length;
        private static final int STATUSES = Status.values().length;

        private final AtomicReferenceArray<Counter> successes = new AtomicReferenceArray<>(PROTOCOLS);
        private final AtomicReferenceArray<Counter> failures = new AtomicReferenceArray<>(PROTOCOLS * STATUSES);
        private final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(PROTOCOLS);
        private final AtomicReferenceArray<DistributionSummary> tokens = new AtomicReferenceArray<>(PROTOCOLS);

        /** Each registers the meter of one index: a protocol's ordinal, for failures protocol × statuses + status. */
        private final IntFunction<Counter> newSuccess;
        private final IntFunction<Counter> newFailure;
        private final IntFunction<Timer> newDuration;
        private final IntFunction<DistributionSummary> newTokens;

        RequestMeters(Tags tags) {
            newSuccess = index -> Counter.builder("zeroserve.request.success")
                    .description("Requests answered successfully").tags(tags).tag("protocol", label(index))
                    .register(registry);
            newFailure = index -> Counter.builder("zeroserve.request.failure")
                    .description("Requests that failed, by reason").tags(tags)
                    .tag("protocol", label(index / STATUSES)).tag("reason", reason(Status.values()[index % STATUSES]))
                    .register(registry);
            newDuration = index -> latency("zeroserve.request.duration", "End-to-end request time in the server",
                    tags.and("protocol", label(index)));
            newTokens = index -> DistributionSummary.builder("zeroserve.request.tokens")
                    .description("Tokens per text request, special tokens included").tags(tags)
                    .tag("protocol", label(index)).serviceLevelObjectives(TOKENS).register(registry);
        }

        private static String label(int protocol) {
            return Protocol.values()[protocol].label();
        }

        Counter success(Protocol protocol) {
            return cached(successes, protocol.ordinal(), newSuccess);
        }

        Counter failure(Protocol protocol, Status status) {
            return cached(failures, protocol.ordinal() * STATUSES + status.ordinal(), newFailure);
        }

        Timer duration(Protocol protocol) {
            return cached(durations, protocol.ordinal(), newDuration);
        }

        DistributionSummary tokens(Protocol protocol) {
            return cached(tokens, protocol.ordinal(), newTokens);
        }

        /** The meter at {@code index}, registered by {@code register} the first time (no allocation after that). */
        private static <M> M cached(AtomicReferenceArray<M> meters, int index, IntFunction<M> register) {
            M meter = meters.get(index);
            if (meter == null) {
                meter = register.apply(index);
                meters.set(index, meter);
            }
            return meter;
        }
    }

    /** Triton's failure reasons (REJECTED, CANCELED, BACKEND, OTHER), split a little finer. */
    static String reason(Status status) {
        return switch (status) {
            case INVALID_ARGUMENT, PAYLOAD_TOO_LARGE, UNIMPLEMENTED -> "invalid";
            case NOT_FOUND -> "not_found";
            case UNAVAILABLE, RESOURCE_EXHAUSTED -> "rejected";
            case DEADLINE_EXCEEDED -> "timeout";
            case CANCELLED -> "cancelled";
            case INTERNAL -> "backend";
        };
    }

    /** The batcher's observer: queue and compute times, executions and batch sizes (overall and per size). */
    public BatchObserver batchObserver() {
        return new BatchObserver() {
            @Override
            public void queued(long waitedNanos) {
                queueTime.record(waitedNanos, TimeUnit.NANOSECONDS);
                statistics.queued(waitedNanos);
            }

            @Override
            public RunObserver batchStarted(int entries, long rows) {
                executions.increment();
                inferences.increment(rows);
                batchSize.record(rows);
                statistics.executionStarted(rows);
                return phaseObservers.computeIfAbsent(rows, PhaseObserver::new);
            }

            @Override
            public void batchSplit() {
                batchSplits.increment();
            }
        };
    }
}
