package dev.zeroserve.lifecycle;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.zeroserve.config.ConfigChecks;
import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.engine.ModelLoadException;
import dev.zeroserve.engine.OnnxModel;
import dev.zeroserve.engine.OnnxModelLoader;
import dev.zeroserve.engine.TensorRtProfiles;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.WarmupRequestDecoder;
import dev.zeroserve.metrics.ColdStart;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.scheduling.BatchingSettings;
import dev.zeroserve.scheduling.DynamicBatcher;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.web.Router;

/**
 * Loads and warms up the model when the application starts and closes it when it stops, wiring engine and scheduler
 * as the batching policy decides. Loading runs on its own thread, so the HTTP server answers liveness probes (and
 * reports not-ready) while a large model loads. The served model and its state are kept by {@link ModelRegistry};
 * warm-up is {@link ModelWarmUp}'s, the drain {@link GracefulDrain}'s.
 */
@ApplicationScoped
public class ModelLifecycle {
    private static final Logger LOG = Logger.getLogger(ModelLifecycle.class);
    private static final Duration IDLE_BEFORE_LONE_SESSION = Duration.ofMillis(50);
    private static final Duration FIRST_REQUEST_WAIT = Duration.ofSeconds(1);
    private static final Duration IDLE_POLL = Duration.ofMillis(10);

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
    private final BatchingPolicy batchingPolicy;
    private final ModelWarmUp warmUp;
    private final ModelRegistry registry;
    private final ScheduledExecutorService deadlines = DynamicBatcher.deadlineTimer("zeroserve-deadlines");
    private volatile OnnxModel model;

    /**
     * @throws IllegalArgumentException naming the configuration key, which stops start-up
     */
    public ModelLifecycle(ZeroserveConfig config, @ConfigProperty(name = ConfigChecks.IDLE_TIMEOUT) Duration idleTimeout,
            InferenceMetrics metrics, WarmupRequestDecoder warmupDecoder) {
        ConfigChecks.serving(config, idleTimeout);
        this.config = config;
        this.metrics = metrics;
        this.source = ModelSource.parse(config.model().uri());
        this.batchingPolicy = BatchingPolicy.of(config.batching());
        this.warmUp = new ModelWarmUp(config.warmup(), warmupDecoder, config.limits().maxElements());
        this.registry = new ModelRegistry(config.model().name().orElseGet(source::defaultName));
    }

    /**
     * Starts loading the model as soon as the HTTP router is being built (the earliest event of Quarkus's runtime
     * start, when runtime configuration is in place), not at StartupEvent: the rest of the boot (the HTTP server's
     * sockets, gRPC, the start-up events) then overlaps the load that a cold start waits for.
     */
    public void onStart(@Observes Router router) {
        Thread loader = new Thread(this::load, "zeroserve-model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        long start = System.nanoTime();
        try {
            ColdStart coldStart = metrics.coldStart();
            // loads ONNX Runtime's native library
            OnnxModelLoader loader = new OnnxModelLoader(config.engine(), profileBounds());
            coldStart.reached(ColdStart.Phase.ONNXRUNTIME_LOADED);
            OnnxModel loaded = loader.load(source, config.model(), batchingPolicy::parallelExecutions);
            coldStart.reached(ColdStart.Phase.SESSION_CREATED);
            long loadedAt = System.nanoTime();
            Optional<ModelWarmUp.Sample> sample = warmUp.run(loaded, source, registry.modelName());
            long end = System.nanoTime();
            ServedModel ready = serve(loaded);
            metrics.modelReady(ready.metadata(), ready.scheduler(), end - start);
            model = loaded;
            registry.ready(ready);
            LOG.infof("Model '%s' version %s is ready on %s (load %d ms, warm-up %d ms); batching: %s",
                    registry.modelName(), loaded.metadata().version(),
                    loaded.metadata().properties().get(ModelMetadata.EXECUTION_PROVIDER),
                    TimeUnit.NANOSECONDS.toMillis(loadedAt - start), TimeUnit.NANOSECONDS.toMillis(end - loadedAt),
                    ready.metadata().properties().get(ServedModel.BATCHING_REASON));
            coldStart.reached(ColdStart.Phase.WARMED_UP); // readiness, once the tokenizer is loaded too
            openLoneSessionWhenIdle(loaded, ready.scheduler(), sample);
        } catch (ModelLoadException | InferenceException | IllegalArgumentException e) {
            fail(e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            fail("unexpected failure loading " + source + ": " + e, e);
        }
    }

    /**
     * Opens the lone session once the first request has been answered (or {@link #FIRST_REQUEST_WAIT} passed without
     * one) and the model has then been idle for {@link #IDLE_BEFORE_LONE_SESSION}: made at load, or at readiness beside
     * the first request (which spends most of its first 200 ms in cold code before it reaches the model), it delayed
     * the first answer of a cold start by 60-165 ms. Under load it is not needed: executions are not alone. Where it
     * cannot be opened, lone executions keep the executions' own threads.
     */
    private void openLoneSessionWhenIdle(OnnxModel loaded, DynamicBatcher scheduler,
            Optional<ModelWarmUp.Sample> sample) throws InterruptedException {
        long ready = System.nanoTime();
        long idleSince = ready;
        while (registry.state() == State.READY) {
            long now = System.nanoTime();
            boolean firstServed = !Double.isNaN(metrics.coldStart().secondsAt(ColdStart.Phase.FIRST_ANSWER))
                    || now - ready >= FIRST_REQUEST_WAIT.toNanos();
            if (scheduler.inFlight() > 0 || !firstServed) {
                idleSince = now;
            } else if (now - idleSince >= IDLE_BEFORE_LONE_SESSION.toNanos()) {
                try {
                    loaded.openLoneSession(sample.map(ModelWarmUp.Sample::inputs).orElse(null),
                            sample.map(ModelWarmUp.Sample::outputs).orElse(null));
                } catch (InferenceException e) {
                    LOG.warnf("%s; executions that run alone keep the executions' own threads", e.getMessage());
                }
                return;
            }
            Thread.sleep(IDLE_POLL.toMillis());
        }
    }

    /** The largest batch and token sequence the server runs, and warm-up's, which TensorRT's profile must cover. */
    private TensorRtProfiles.Bounds profileBounds() {
        return new TensorRtProfiles.Bounds(config.batching().maxBatchSize(), config.embeddings().maxSequenceLength(),
                config.warmup().dynamicDimSize());
    }

    /** Starts the model's scheduler as the batching policy decides, and says the decision in the metadata. */
    private ServedModel serve(OnnxModel loaded) {
        ModelMetadata metadata = loaded.metadata();
        BatchingPolicy.Decision decision = batchingPolicy.decide(metadata.batchable(), loaded.rowCoupling(),
                metadata.onCpu(), metadata.takesTokenSequences());
        ZeroserveConfig.Batching batching = config.batching();
        DynamicBatcher scheduler = new DynamicBatcher(loaded, new BatchingSettings(decision.maxBatchSize(),
                TimeUnit.MICROSECONDS.toNanos(batching.maxQueueDelayMicros()), batching.queueCapacity(),
                loaded.parallelExecutions(), decision.maxBatchTokens()), deadlines, metrics.batchObserver());
        return new ServedModel(metadata.withProperties(decision.properties())
                .withProperties(loaded.loneExecution().properties()), scheduler,
                decision.singleRow());
    }

    private void fail(String message, Throwable cause) {
        registry.failed();
        LOG.errorf(cause, "Model '%s' cannot be served: %s", registry.modelName(), message);
        Quarkus.asyncExit(1);
    }

    /**
     * SIGTERM. Quarkus announces the shutdown here, before it stops its HTTP server: readiness turns DOWN, new
     * inference requests are refused (503 with Retry-After, gRPC UNAVAILABLE), and the queued and running ones are
     * answered and their responses sent, for at most {@code zeroserve.drain.timeout}. Knative sends SIGTERM only
     * after its queue-proxy has drained, so there it finds little to do.
     */
    void onShutdownSignal(@Observes ShutdownDelayInitiatedEvent event, DrainingConnections exchanges)
            throws InterruptedException {
        ServedModel draining = registry.startDraining();
        if (draining != null) {
            GracefulDrain.run(draining.scheduler(), exchanges, config.drain().timeout());
        }
    }

    public void onStop(@Observes ShutdownEvent event) {
        ServedModel current = registry.served();
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
        return registry.modelName();
    }

    public State state() {
        return registry.state();
    }

    /** Live unless the model failed to load: liveness is decided here, for every probe and protocol. */
    public boolean isLive() {
        return registry.isLive();
    }

    public boolean isReady() {
        return registry.state() == State.READY;
    }

    /** Loaded and warmed up at some point: the startup probe's question. */
    public boolean hasStarted() {
        State state = registry.state();
        return state == State.READY || state == State.DRAINING;
    }

    /**
     * The served model, if it is the one named and ready.
     *
     * @param version the requested version, or null for the served one
     * @throws InferenceException NOT_FOUND for another name or version, UNAVAILABLE while it is not ready
     */
    public ServedModel resolve(String name, String version) {
        return registry.resolve(name, version);
    }
}
