package dev.zeroserve.lifecycle;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.zeroserve.engine.ModelLoadException;
import dev.zeroserve.engine.OnnxModel;
import dev.zeroserve.engine.OnnxModelLoader;
import dev.zeroserve.engine.WarmUp;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.RequestValidator;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.scheduling.DynamicBatcher;
import dev.zeroserve.api.transport.OpenExchanges;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.web.Router;

/**
 * Loads and warms up the model when the application starts and closes it when it stops. Loading runs on its own
 * thread, so the HTTP server answers liveness probes (and reports not-ready) while a large model loads.
 */
@ApplicationScoped
public class ModelLifecycle {
    private static final Logger LOG = Logger.getLogger(ModelLifecycle.class);
    private static final long DRAIN_POLL_MILLIS = 5;
    private static final String IDLE_TIMEOUT = "quarkus.http.idle-timeout";
    /**
     * How long the answered responses get to leave over HTTP/2 once the last one is handed over: milliseconds are
     * enough for a client that reads. Bounded because, under a flood of refused calls, a connection sometimes keeps a
     * stream that never closes (seen with Vert.x 4.5), which would hold the drain to its timeout.
     */
    private static final long HTTP2_CLOSE_GRACE_MILLIS = 5000;

    public enum State {
        LOADING,
        READY,
        /** Shutting down: not ready, refusing new requests, finishing admitted ones. */
        DRAINING,
        FAILED
    }

    private final ZeroserveConfig config;
    private final InferenceMetrics metrics;
    private final ModelSource source;
    private final String modelName;
    private final ScheduledExecutorService deadlines = DynamicBatcher.deadlineTimer("zeroserve-deadlines");
    private final WarmupRequestDecoder warmupDecoder;
    private volatile State state = State.LOADING;
    private volatile OnnxModel model;
    private volatile ServedModel served;

    /**
     * @throws IllegalArgumentException naming the configuration key, which stops start-up
     */
    ModelLifecycle(ZeroserveConfig config, @ConfigProperty(name = IDLE_TIMEOUT) Duration idleTimeout,
            InferenceMetrics metrics, WarmupRequestDecoder warmupDecoder) {
        if (config.warmup().iterations() < 1) {
            throw new IllegalArgumentException("zeroserve.warmup.iterations=" + config.warmup().iterations()
                    + ": the model must be warmed up with at least one inference before it reports ready");
        }
        ZeroserveConfig.Batching batching = config.batching();
        atLeast("zeroserve.batching.max-batch-size", batching.maxBatchSize(), 1);
        atLeast("zeroserve.batching.queue-capacity", batching.queueCapacity(), 1);
        atLeast("zeroserve.batching.parallel-batches", batching.parallelBatches().orElse(1), 1);
        atLeast("zeroserve.batching.max-queue-delay-micros", batching.maxQueueDelayMicros(), 0);
        atLeast("zeroserve.batching.request-timeout", batching.requestTimeout().toMillis(), 1);
        Duration maxRequestTimeout = config.limits().maxRequestTimeout();
        if (maxRequestTimeout.compareTo(batching.requestTimeout()) < 0) {
            throw new IllegalArgumentException("zeroserve.limits.max-request-timeout=" + maxRequestTimeout
                    + ": must be at least zeroserve.batching.request-timeout (" + batching.requestTimeout() + ")");
        }
        if (maxRequestTimeout.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("zeroserve.limits.max-request-timeout=" + maxRequestTimeout
                    + ": must be shorter than " + IDLE_TIMEOUT + " (" + idleTimeout + "), or a request waiting that "
                    + "long has its connection closed as idle");
        }
        atLeast("zeroserve.drain.timeout", config.drain().timeout().toMillis(), 0);
        this.config = config;
        this.metrics = metrics;
        this.warmupDecoder = warmupDecoder;
        this.source = ModelSource.parse(config.model().uri());
        this.modelName = config.model().name().orElseGet(source::defaultName);
    }

    private static void atLeast(String key, long value, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(key + "=" + value + ": must be at least " + minimum);
        }
    }

    /**
     * Starts loading the model as soon as the HTTP router is being built (the earliest event of Quarkus's runtime
     * start, when runtime configuration is in place), not at StartupEvent: the rest of the boot (the HTTP server's
     * sockets, gRPC, the start-up events) then overlaps the load that a cold start waits for.
     */
    void onStart(@Observes Router router) {
        Thread loader = new Thread(this::load, "zeroserve-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        long start = System.nanoTime();
        try {
            OnnxModel loaded = new OnnxModelLoader(config.engine()).load(source, config.model(),
                    coupling -> parallelExecutions(singleRow(coupling)));
            long loadedAt = System.nanoTime();
            warmUp(loaded);
            long end = System.nanoTime();
            ServedModel ready = serve(loaded);
            metrics.modelReady(ready.metadata(), ready.scheduler(), end - start);
            served = ready;
            model = loaded;
            state = State.READY;
            LOG.infof("Model '%s' version %s is ready on %s (load %d ms, warm-up %d ms); batching: %s", modelName,
                    loaded.metadata().version(), loaded.metadata().properties().get(ModelMetadata.EXECUTION_PROVIDER),
                    TimeUnit.NANOSECONDS.toMillis(loadedAt - start), TimeUnit.NANOSECONDS.toMillis(end - loadedAt),
                    ready.metadata().properties().get(ServedModel.BATCHING_REASON));
        } catch (ModelLoadException | InferenceException | IllegalArgumentException e) {
            fail(e.getMessage(), e);
        } catch (RuntimeException | LinkageError e) {
            fail("unexpected failure loading " + source + ": " + e, e);
        }
    }

    /** Whether rows run alone: the model's rows are coupled (unless the policy says batch), or the policy says so. */
    private boolean singleRow(Optional<String> coupling) {
        return switch (config.batching().policy()) {
            case AUTO -> coupling.isPresent();
            case BATCH -> false;
            case SINGLE_ROW -> true;
        };
    }

    /** Executions at once: as configured, else one per core for rows that run alone, and one batch at a time. */
    private int parallelExecutions(boolean singleRow) {
        return config.batching().parallelBatches().orElse(singleRow ? Runtime.getRuntime().availableProcessors() : 1);
    }

    /**
     * Warms the model up on the user's sample inputs, whose failure stops start-up as a configuration error does, or
     * else on zeros, whose failure only costs the first requests their speed: a model with a shape, scale or divisor
     * input can refuse zeros and still serve every real request.
     */
    private void warmUp(OnnxModel loaded) {
        ZeroserveConfig.Warmup warmup = config.warmup();
        ModelMetadata metadata = loaded.metadata();
        Optional<String> samples = warmup.inputsUri().or(source::defaultWarmupUri);
        if (samples.isPresent()) {
            String key = "zeroserve.warmup.inputs-uri";
            try {
                InferenceRequest request = warmupDecoder.decode(ModelSource.readFile(key, samples.get()), metadata);
                WarmUp.run(loaded, request.inputs(), RequestValidator.validate(request, metadata),
                        warmup.iterations());
            } catch (InferenceException e) {
                throw new IllegalArgumentException(key + "=" + samples.get() + ": the model cannot be warmed up on "
                        + "these inputs: " + e.getMessage(), e);
            }
            return;
        }
        try {
            WarmUp.run(loaded, WarmUp.zeroInputs(metadata, warmup.dynamicDimSize()),
                    metadata.outputs().stream().map(TensorSpec::name).toList(), warmup.iterations());
        } catch (InferenceException e) {
            LOG.warnf("Model '%s' could not be warmed up on zero-filled inputs (%s); it is served without warm-up, so "
                    + "the first requests pay for ONNX Runtime's initialisation. Give it inputs it can run in a "
                    + "warmup.json beside the model file (zeroserve.warmup.inputs-uri), a v2 JSON inference request",
                    modelName, e.getMessage());
        }
    }

    /**
     * Chooses how the model's rows share executions and starts its scheduler. A model whose rows are coupled within
     * an execution runs row by row (unless zeroserve.batching.policy=batch), in one execution per core.
     */
    private ServedModel serve(OnnxModel loaded) {
        ZeroserveConfig.Batching batching = config.batching();
        Optional<String> coupling = loaded.rowCoupling();
        boolean singleRow = singleRow(coupling);
        String reason;
        if (!loaded.metadata().batchable()) {
            reason = "none: the model has no dynamic batch dimension, so every request runs alone";
        } else if (singleRow) {
            reason = "single row: " + coupling.map(ops -> "the graph computes quantization scales over the whole "
                    + "batch (" + ops + "), so rows sharing an execution would change one another's results; every "
                    + "row runs alone for exact answers, zeroserve.batching.policy=batch trades that for throughput")
                    .orElse("zeroserve.batching.policy=single-row");
        } else {
            reason = "across requests, up to " + batching.maxBatchSize() + " rows: " + coupling.map(ops -> "the "
                    + "graph couples rows (" + ops + ") but zeroserve.batching.policy=batch allows it, so results may "
                    + "depend on batch mates").orElse("rows are computed independently, so results do not depend on "
                    + "batch mates");
        }
        int parallel = loaded.parallelExecutions();
        int maxBatchSize = singleRow ? 1 : batching.maxBatchSize();
        DynamicBatcher scheduler = new DynamicBatcher(loaded, new DynamicBatcher.Settings(
                maxBatchSize, TimeUnit.MICROSECONDS.toNanos(batching.maxQueueDelayMicros()),
                batching.queueCapacity(), parallel), deadlines, metrics.batchObserver());
        ModelMetadata metadata = loaded.metadata().withProperties(Map.of(
                ServedModel.BATCHING, singleRow ? "single_row" : "cross_request",
                ServedModel.BATCHING_REASON, reason));
        return new ServedModel(metadata, scheduler, singleRow);
    }

    private void fail(String message, Throwable cause) {
        state = State.FAILED;
        LOG.errorf(cause, "Model '%s' cannot be served: %s", modelName, message);
        Quarkus.asyncExit(1);
    }

    /**
     * SIGTERM. Quarkus announces the shutdown here, before it stops its HTTP server: readiness turns DOWN, new
     * inference requests are refused (503 with Retry-After, gRPC UNAVAILABLE), and the queued and running ones are
     * answered and their responses sent, for at most {@code zeroserve.drain.timeout}. Knative sends SIGTERM only
     * after its queue-proxy has drained, so there it finds little to do.
     */
    void onShutdownSignal(@Observes ShutdownDelayInitiatedEvent event, OpenExchanges exchanges)
            throws InterruptedException {
        ServedModel current = served;
        if (state != State.READY || current == null) {
            return;
        }
        state = State.DRAINING;
        DynamicBatcher running = current.scheduler();
        running.stopAdmitting();
        exchanges.stopCounting();
        long start = System.nanoTime();
        long admitted = running.inFlight();
        long deadline = start + config.drain().timeout().toNanos();
        while ((running.inFlight() > 0 || exchanges.open() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
        long answered = System.nanoTime();
        long answerMillis = TimeUnit.NANOSECONDS.toMillis(answered - start);
        boolean flushed = exchanges.closeHttp2Connections(Math.min(HTTP2_CLOSE_GRACE_MILLIS,
                Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - answered))));
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
        if (running.inFlight() > 0) {
            LOG.warnf("zeroserve.drain.timeout (%s) passed with %d admitted rows unanswered",
                    config.drain().timeout(), running.inFlight());
        } else if (exchanges.open() > 0) {
            LOG.warnf("zeroserve.drain.timeout (%s) passed with %d responses not yet handed to their connection",
                    config.drain().timeout(), exchanges.open());
        } else if (!flushed) {
            LOG.warnf("Drained: %d admitted rows answered in %d ms; HTTP/2 connections with streams still open "
                    + "after %d ms were closed", admitted, answerMillis, closeMillis);
        } else {
            LOG.infof("Drained: %d admitted rows answered in %d ms, HTTP/2 connections closed in %d ms; new "
                    + "requests are refused", admitted, answerMillis, closeMillis);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        ServedModel current = served;
        if (current != null) {
            current.scheduler().close();
        }
        deadlines.shutdownNow();
        OnnxModel loaded = model;
        if (loaded != null) {
            try {
                loaded.close();
            } catch (Exception e) {
                LOG.warn("Closing the ONNX Runtime session failed", e);
            }
        }
    }

    /** The name the model is served under, known before it is loaded. */
    public String modelName() {
        return modelName;
    }

    public State state() {
        return state;
    }

    public boolean isReady() {
        return state == State.READY;
    }

    /** Loaded and warmed up at some point: the startup probe's question. */
    public boolean hasStarted() {
        return state == State.READY || state == State.DRAINING;
    }

    /**
     * The served model, if it is the one named and ready.
     *
     * @param version the requested version, or null for the served one
     * @throws InferenceException NOT_FOUND for another name or version, UNAVAILABLE while it is not ready
     */
    public ServedModel resolve(String name, String version) {
        if (!name.equals(modelName)) {
            throw new InferenceException(Status.NOT_FOUND, "unknown model '" + name + "'; this server serves '"
                    + modelName + "'");
        }
        ServedModel ready = served;
        if (ready == null) {
            throw new InferenceException(Status.UNAVAILABLE, "model '" + name + "' is not ready ("
                    + state.name().toLowerCase() + ")");
        }
        if (version != null && !version.equals(ready.metadata().version())) {
            throw new InferenceException(Status.NOT_FOUND, "unknown version '" + version + "' of model '" + name
                    + "'; the served version is '" + ready.metadata().version() + "'");
        }
        return ready;
    }
}
