package dev.zeroserve.config;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** All of Zeroserve's configuration; every key can be set as an environment variable (ZEROSERVE_MODEL_URI, ...). */
@ConfigMapping(prefix = "zeroserve")
public interface ZeroserveConfig {

    Model model();

    Engine engine();

    Warmup warmup();

    Limits limits();

    Batching batching();

    Embeddings embeddings();

    Drain drain();

    Gpu gpu();

    Auth auth();

    interface Model {
        /** Where the ONNX model comes from: {@code classpath:<resource>} or {@code file:<path>}. */
        @WithDefault(ModelSource.BUNDLED_URI)
        String uri();

        /** Name served under; by default taken from the repository layout or the file name. */
        Optional<String> name();

        /** Version served as; by default taken from the repository layout or the ONNX model_version, else "1". */
        Optional<String> version();
    }

    interface Engine {
        /** Execution providers in order of preference. */
        @WithDefault("cpu")
        List<ExecutionProvider> executionProviders();

        /** GPU device for the CUDA and TensorRT providers. */
        @WithDefault("0")
        int deviceId();

        /** What happens when a requested GPU provider cannot be used. */
        @WithDefault("fail")
        GpuFallback gpuFallback();

        @WithDefault("all")
        OptimizationLevel optimizationLevel();

        /**
         * Threads used within one operator by each execution; 0 = the cores shared out among the executions that run
         * at once (zeroserve.batching.parallel-batches): all of them for one execution, one each for one per core.
         */
        @WithDefault("0")
        int intraOpThreads();

        /**
         * Whether idle intra-op threads spin for work; by default only when one execution runs at a time, since a
         * spinning thread takes the core that another execution or the server's event loops would use.
         */
        Optional<Boolean> intraOpSpinning();

        /**
         * Whether spinning intra-op threads stop spinning as soon as a run ends (ONNX Runtime's
         * session.force_spinning_stop) instead of spinning on for a while after it: the cores then go to the event
         * loop that answers the request and to the next request's arrival; the threads spin again from the next run.
         */
        @WithDefault("true")
        boolean spinningStopsAfterRun();

        /**
         * Whether an execution that runs alone (no other running, nothing waiting) uses every core, through a second
         * session of one intra-op thread per core, spinning. Unset: kept where the warm-up measures it faster than the
         * executions' own threads. Only on CPU, where several executions share the cores out; false saves the second
         * session's memory.
         */
        Optional<Boolean> loneExecutionAllCores();

        /**
         * ONNX Runtime's CPU memory arena and memory patterns: they save allocations for models whose input shapes
         * never change, and grow with the variety of shapes otherwise, so they are off unless set.
         */
        @WithDefault("false")
        boolean cpuArena();

        /** Threads used across independent operators; 0 lets ONNX Runtime choose. */
        @WithDefault("0")
        int interOpThreads();

        /** ONNX Runtime's TensorRT provider, when zeroserve.engine.execution-providers names it. */
        GpuProviders.TensorRt tensorrt();

        /** ONNX Runtime's CUDA provider, when zeroserve.engine.execution-providers names it. */
        GpuProviders.Cuda cuda();
    }

    interface Warmup {
        /** Inferences run on synthetic inputs before the model reports ready (at least 1). */
        @WithDefault("1")
        int iterations();

        /** Size given to dynamic (-1) dimensions of the synthetic warm-up inputs. */
        @WithDefault("8")
        int dynamicDimSize();

        /**
         * Sample inputs to warm up on instead of zeros ({@code file:<path>}): the body of a v2 JSON inference
         * request. By default a {@code warmup.json} beside the model file, if there is one.
         */
        Optional<String> inputsUri();

        /**
         * Load and warm up the model (building TensorRT's engines into its cache), say what was prepared, and exit
         * instead of serving: 0 when ready on the first execution provider asked for, 1 otherwise. For a Kubernetes
         * Job or an image build that fills the engine cache before traffic.
         */
        @WithDefault("false")
        boolean exitWhenReady();
    }

    interface Limits {
        /** Largest number of elements one input tensor may have. */
        @WithDefault("16777216")
        long maxElements();

        /**
         * Bytes that the requests in flight may hold at once (bodies, inflated messages, decoded tensors, as
         * estimated by the in-flight budget); a request that would pass it is answered 503 with Retry-After before its
         * body is read. By default the heap less 64 MiB, and at least half of it.
         */
        Optional<io.quarkus.runtime.configuration.MemorySize> inFlightBytes();

        /**
         * Longest wait a request may ask for with its {@code timeout} parameter (v2, REST and gRPC alike); a longer
         * one is cut to this. At least zeroserve.batching.request-timeout, and shorter than quarkus.http.idle-timeout,
         * which closes a connection that carries no bytes for that long, the connection of a waiting request too: the
         * difference is the time left for the model's execution.
         */
        @WithDefault("60S")
        java.time.Duration maxRequestTimeout();
    }

    /**
     * API keys ({@code Authorization: Bearer <key>}, gRPC {@code authorization} metadata). Off unless a key is
     * configured; health probes are always open.
     */
    interface Auth {
        /** Keys accepted on every protected group (comma-separated; several at once for rotation). */
        Optional<List<String>> apiKeys();

        /** A file of further keys (one per line, or comma-separated), re-read when it changes: a mounted Secret. */
        Optional<String> apiKeysFile();

        /**
         * Keys for the management groups (statistics, metrics) and metadata; where any is set, statistics and
         * metrics take only these, so that inference clients cannot read other clients' traffic.
         */
        Optional<List<String>> managementApiKeys();

        /** A file of further management keys, re-read when it changes. */
        Optional<String> managementApiKeysFile();

        /** The route groups that need a key once keys are configured: inference, metadata, statistics, metrics. */
        @WithDefault("inference,metadata,statistics,metrics")
        List<RouteGroup> protectedGroups();

        /** How often the key files are checked for a change (a Kubernetes Secret volume updates within ~1 min). */
        @WithDefault("10S")
        java.time.Duration keysFileCheckInterval();
    }

    /** Routes grouped as Triton groups its restricted APIs. */
    enum RouteGroup {
        /** Probes (/q/health/*, /v2/health/*, gRPC ServerLive/ServerReady, grpc.health.v1): never protected. */
        HEALTH,
        /** Inference (v2 REST and gRPC) and embeddings, and any route not named below. */
        INFERENCE,
        /** Server and model metadata, model readiness, the model list. */
        METADATA,
        /** Triton's model statistics and model configuration. */
        STATISTICS,
        /** Prometheus metrics (/q/metrics). */
        METRICS
    }

    interface Batching {
        /** Most rows (along dimension 0) in one model call; 1 turns batching off. */
        @WithDefault("16")
        int maxBatchSize();

        /**
         * Most token positions in one execution of a model that takes token sequences: rows times the longest
         * sequence among them, so that long sequences share an execution with fewer others. By default 512 on CPU,
         * where larger batches of long sequences leave the caches and run slower than rows alone, and no bound on a
         * GPU; 0 = no bound. A request of more rows than fit is split into entries that do; a single row longer than it
         * runs alone.
         */
        java.util.OptionalInt maxBatchTokens();

        /** How long the oldest queued request may wait for its batch to fill; 0 runs what is queued at once. */
        @WithDefault("0")
        long maxQueueDelayMicros();

        /**
         * Rows (v2 batch rows, texts) that may wait for a worker; a request that does not fit is refused at once with
         * 503 and Retry-After, one larger than the whole queue with 400.
         */
        @WithDefault("256")
        int queueCapacity();

        /**
         * Executions run at the same time; by default one per core on CPU, and on a GPU 1 when requests are batched
         * together and one per core when every row runs alone ({@link #policy()}).
         */
        java.util.OptionalInt parallelBatches();

        /** Whether rows of different requests may share a model execution. */
        @WithDefault("auto")
        BatchingPolicy policy();

        /** How long a request may wait before it is answered 504 without running; a request may ask for less or more. */
        @WithDefault("30S")
        java.time.Duration requestTimeout();
    }

    /** The OpenAI-compatible text embeddings API (/v1/embeddings), served when the model has a tokenizer. */
    interface Embeddings {
        /**
         * The model's HuggingFace {@code tokenizer.json}: {@code classpath:<resource>} or {@code file:<path>}. By
         * default the bundled model's own, or a {@code tokenizer.json} beside a model file; without one the API
         * answers that the model cannot embed text.
         */
        Optional<String> tokenizerUri();

        /** How the token vectors of a text become one embedding. */
        @WithDefault("mean")
        Pooling pooling();

        /** Whether embeddings are scaled to unit length (L2), so that a dot product is their cosine similarity. */
        @WithDefault("true")
        boolean normalize();

        /** Most tokens of one input, special tokens included; all-MiniLM-L6-v2 was trained on 256. */
        @WithDefault("256")
        int maxSequenceLength();

        /**
         * Most characters (UTF-16 units) of one text, checked before it is tokenized, as the tokenizer reads a text
         * whole before it can tell that it is too long. By default 100 per token of max-sequence-length: WordPiece
         * makes a word of more than 100 characters a single [UNK], so only texts padded with whitespace or control
         * characters can have fewer tokens than this allows.
         */
        java.util.OptionalInt maxInputCharacters();

        /** Longer inputs are cut to the maximum length when true, and refused with 400 when false. */
        @WithDefault("false")
        boolean truncate();

        /** Most inputs in one request. */
        @WithDefault("128")
        int maxInputs();

        /**
         * Smaller sizes the request's {@code dimensions} may ask for, for models trained to be cut (Matryoshka): the
         * embedding keeps its first values and is normalised again (when normalize is on). Empty: only the model's
         * own size.
         */
        Optional<List<Integer>> dimensions();

        /** The model output holding the token vectors [batch, sequence, hidden]; by default the first of rank 3. */
        Optional<String> output();
    }

    enum BatchingPolicy {
        /**
         * Batch across requests unless the model's rows depend on one another within an execution (dynamically
         * quantized models), which then run row by row, so that every answer is exact.
         */
        AUTO,
        /** Batch across requests always: more throughput, results that may depend on the batch mates. */
        BATCH,
        /** Run every row alone, in parallel executions. */
        SINGLE_ROW
    }

    enum Pooling {
        /** The average of the token vectors, padding excluded (sentence-transformers' default). */
        MEAN,
        /** The first token's vector ([CLS]). */
        CLS
    }

    enum ExecutionProvider {
        TENSORRT,
        CUDA,
        CPU;

        public boolean isGpu() {
            return this != CPU;
        }
    }

    enum GpuFallback {
        /** Start-up fails with a message naming the provider and the cause. */
        FAIL,
        /** The model runs on CPU and a WARN log says why. */
        CPU
    }

    enum OptimizationLevel {
        DISABLE,
        BASIC,
        EXTENDED,
        ALL
    }

    interface Drain {
        /**
         * How long SIGTERM waits for admitted requests to be answered before the process exits anyway; keep it below
         * the pod's termination grace period.
         */
        @WithDefault("30S")
        java.time.Duration timeout();
    }

    interface Gpu {
        /** Accelerator meters (nv_gpu_*) read through NVML; absent, with one INFO line, where no NVIDIA driver is. */
        @WithDefault("true")
        boolean metrics();

        /** The NVML library to open: the driver's soname, found through the dynamic linker's path. */
        @WithDefault("libnvidia-ml.so.1")
        String nvmlLibrary();

        /** How often the GPU meters are read (Triton's --metrics-interval-ms is 2000). */
        @WithDefault("2S")
        java.time.Duration metricsInterval();
    }
}
