package dev.zeroserve.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every check of configuration values that the mapping's types cannot express, in one place, so that a newcomer
 * finds each rule and its message here. A failure is an {@link IllegalArgumentException} whose message starts with the
 * key and its value; it stops start-up.
 */
public final class ConfigChecks {
    /** The HTTP server's idle timeout: a request may not wait longer, or its connection is closed as idle. */
    public static final String IDLE_TIMEOUT = "quarkus.http.idle-timeout";

    private ConfigChecks() {
    }

    /** What serving the model needs: warm-up, batching, request timeouts and drain. */
    public static void serving(ZeroserveConfig config, Duration idleTimeout) {
        if (config.warmup().iterations() < 1) {
            throw new IllegalArgumentException("zeroserve.warmup.iterations=" + config.warmup().iterations()
                    + ": the model must be warmed up with at least one inference before it reports ready");
        }
        ZeroserveConfig.Batching batching = config.batching();
        atLeast("zeroserve.batching.max-batch-size", batching.maxBatchSize(), 1);
        atLeast("zeroserve.batching.queue-capacity", batching.queueCapacity(), 1);
        atLeast("zeroserve.batching.parallel-batches", batching.parallelBatches().orElse(1), 1);
        atLeast("zeroserve.batching.max-batch-tokens", batching.maxBatchTokens().orElse(0), 0);
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
    }

    /**
     * The embeddings API's bounds.
     *
     * @param maxInputCharacters the configured or derived {@code zeroserve.embeddings.max-input-characters}
     */
    public static void embeddings(ZeroserveConfig.Embeddings embeddings, int maxInputCharacters) {
        atLeast("zeroserve.embeddings.max-sequence-length", embeddings.maxSequenceLength(), 1);
        atLeast("zeroserve.embeddings.max-inputs", embeddings.maxInputs(), 1);
        atLeast("zeroserve.embeddings.max-input-characters", maxInputCharacters, 1);
        for (int size : embeddings.dimensions().orElse(List.of())) {
            atLeast("zeroserve.embeddings.dimensions", size, 1);
        }
    }

    /** The engine's: the GPU device, and the options of the GPU providers that are asked for. */
    public static void engine(ZeroserveConfig.Engine engine) {
        atLeast("zeroserve.engine.device-id", engine.deviceId(), 0);
        if (engine.executionProviders().contains(ZeroserveConfig.ExecutionProvider.TENSORRT)) {
            GpuProviders.TensorRt tensorrt = engine.tensorrt();
            atLeast("zeroserve.engine.tensorrt.max-workspace-size", tensorrt.maxWorkspaceSize().asLongValue(), 1);
            Optional<String> table = tensorrt.int8CalibrationTable();
            if (table.isPresent() && !tensorrt.int8()) {
                throw new IllegalArgumentException("zeroserve.engine.tensorrt.int8-calibration-table=" + table.get()
                        + ": is read only with zeroserve.engine.tensorrt.int8=true");
            }
            if (table.isPresent() && table.get().contains("/")) {
                throw new IllegalArgumentException("zeroserve.engine.tensorrt.int8-calibration-table=" + table.get()
                        + ": must be a file name, which ONNX Runtime reads from zeroserve.engine.tensorrt.cache-dir");
            }
        }
        if (engine.executionProviders().contains(ZeroserveConfig.ExecutionProvider.CUDA)) {
            engine.cuda().gpuMemLimit().ifPresent(
                    limit -> atLeast("zeroserve.engine.cuda.gpu-mem-limit", limit.asLongValue(), 1));
        }
    }

    static void atLeast(String key, long value, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(key + "=" + value + ": must be at least " + minimum);
        }
    }
}
