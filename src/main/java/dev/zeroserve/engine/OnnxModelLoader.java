package dev.zeroserve.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.config.ConfigChecks;
import dev.zeroserve.config.ModelSource;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.config.ZeroserveConfig.ExecutionProvider;
import dev.zeroserve.config.ZeroserveConfig.GpuFallback;

/** Creates the ONNX Runtime session for the configured model on the configured execution providers. */
public final class OnnxModelLoader {
    private static final Logger LOG = Logger.getLogger(OnnxModelLoader.class);

    private final ZeroserveConfig.Engine config;
    private final TensorRtProfiles.Bounds bounds;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();

    /** @param bounds the largest batch and sequence the server runs, which TensorRT's profile covers */
    public OnnxModelLoader(ZeroserveConfig.Engine config, TensorRtProfiles.Bounds bounds) {
        this.config = config;
        this.bounds = bounds;
    }

    /**
     * @param executionsFor how many executions will run at once, given the graph's row-coupling operators (if any) and
     *        whether it runs on CPU alone:
     *        the session's threads are sized for it
     * @throws ModelLoadException with a message naming the cause: the source, a provider, or an unsupported tensor
     * @throws IllegalArgumentException naming the configuration key whose value cannot be used
     */
    public OnnxModel load(ModelSource source, ZeroserveConfig.Model modelConfig,
            BiFunction<Optional<String>, Boolean, Integer> executionsFor) {
        ConfigChecks.engine(config);
        List<ExecutionProvider> requested = config.executionProviders();
        List<ExecutionProvider> active = usableProviders(requested);
        Map<ExecutionProvider, Map<String, String>> providerOptions;
        OrtSession session;
        byte[] resource;
        Optional<String> rowCoupling;
        Threads threads;
        try {
            resource = source.file().isPresent() ? null : source.readResource();
            rowCoupling = rowCoupling(source, resource);
            threads = threads(executionsFor.apply(rowCoupling, active.equals(List.of(ExecutionProvider.CPU))));
            providerOptions = ProviderOptions.of(active, config, profile(source, resource, active));
            try {
                session = createSession(source, resource, active, providerOptions, threads);
            } catch (OrtException e) {
                if (active.stream().noneMatch(ExecutionProvider::isGpu)) {
                    throw e;
                }
                String reason = "execution providers " + names(active) + " (zeroserve.engine.execution-providers) "
                        + "cannot run the model: " + e.getMessage();
                if (config.gpuFallback() == GpuFallback.FAIL) {
                    throw new ModelLoadException(reason + "; set zeroserve.engine.gpu-fallback=cpu to run on CPU "
                            + "instead", e);
                }
                LOG.warnf("%s; running on CPU as zeroserve.engine.gpu-fallback=cpu allows", reason);
                active = List.of(ExecutionProvider.CPU);
                providerOptions = Map.of();
                session = createSession(source, resource, active, providerOptions, threads);
            }
        } catch (OrtException | IOException e) {
            throw new ModelLoadException("could not load model " + source + ": " + e.getMessage(), e);
        }
        try {
            ModelMetadata metadata = describe(session, source, modelConfig, active, providerOptions, threads);
            if (active.contains(ExecutionProvider.CUDA)) {
                ProviderOptions.checkCudaGraph(config.cuda(), metadata.inputs());
            }
            LoneExecution lone = loneExecution(source, active, threads);
            LOG.infof("Loaded model '%s' version %s from %s on execution providers %s%s; %d executions at once, %d "
                    + "intra-op threads, spinning %s; an execution alone on %d threads", metadata.name(),
                    metadata.version(), source, metadata.properties().get(ModelMetadata.EXECUTION_PROVIDERS),
                    ProviderOptions.forLog(providerOptions), threads.executions(), threads.intraOp(),
                    threads.spinning() ? "on" : "off", lone.intraOpThreads());
            return new OnnxModel(env, session, lone, metadata, rowCoupling, threads.executions(), quietRunOptions());
        } catch (RuntimeException | OrtException e) {
            closeQuietly(session);
            throw e instanceof ModelLoadException mle ? mle
                    : new ModelLoadException("could not read the inputs and outputs of " + source + ": " + e.getMessage(), e);
        }
    }

    /**
     * TensorRT's optimization profile, derived from the model's inputs, which are read from a CPU session created
     * without graph optimizations: the TensorRT session needs the profile before it exists.
     */
    private TensorRtProfiles.Profile profile(ModelSource source, byte[] resource, List<ExecutionProvider> active)
            throws OrtException, IOException {
        if (!active.contains(ExecutionProvider.TENSORRT) || !config.tensorrt().profiles()) {
            return TensorRtProfiles.Profile.NONE;
        }
        List<TensorSpec> inputs;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession probe = open(source, resource, options)) {
                inputs = specs("input", probe.getInputInfo());
            }
        }
        TensorRtProfiles.Profile profile = TensorRtProfiles.of(inputs, bounds);
        if (!profile.uncovered().isEmpty()) {
            LOG.warnf("No TensorRT optimization profile for %s: dynamic dimensions %s have no known bound, so TensorRT "
                    + "builds engines for the shapes it meets while serving", source, profile.uncovered());
        }
        return profile;
    }

    /** Run options whose log shows only fatal errors: a failed run is answered, and logged where it is the server's. */
    private static OrtSession.RunOptions quietRunOptions() throws OrtException {
        OrtSession.RunOptions options = new OrtSession.RunOptions();
        options.setLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
        return options;
    }

    private List<ExecutionProvider> usableProviders(List<ExecutionProvider> requested) {
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        List<ExecutionProvider> usable = new ArrayList<>();
        for (ExecutionProvider provider : requested) {
            if (!provider.isGpu() || available.contains(ortProvider(provider))) {
                usable.add(provider);
                continue;
            }
            String reason = "execution provider " + name(provider) + " (zeroserve.engine.execution-providers) is not in "
                    + "this ONNX Runtime build, which has " + available + "; build with the 'gpu' Maven profile";
            if (config.gpuFallback() == GpuFallback.FAIL) {
                throw new ModelLoadException(reason + ", or set zeroserve.engine.gpu-fallback=cpu", null);
            }
            LOG.warnf("%s; using the next provider as zeroserve.engine.gpu-fallback=cpu allows", reason);
        }
        if (!usable.contains(ExecutionProvider.CPU)) {
            usable.add(ExecutionProvider.CPU);
        }
        return usable;
    }

    /** The graph's row-coupling operators; a model file that cannot be scanned is taken as uncoupled, with a WARN. */
    private static Optional<String> rowCoupling(ModelSource source, byte[] resource) {
        try {
            if (resource != null) {
                return GraphOperators.rowCoupling(GraphOperators.read(ByteBuffer.wrap(resource)));
            }
            try (FileChannel file = FileChannel.open(source.file().get(), StandardOpenOption.READ)) {
                if (file.size() > Integer.MAX_VALUE) {
                    LOG.warnf("Model %s is larger than 2 GiB, which ONNX keeps in external data files; its operators "
                            + "were not scanned for batch coupling", source);
                    return Optional.empty();
                }
                Set<String> ops = GraphOperators.read(file.map(FileChannel.MapMode.READ_ONLY, 0, file.size()));
                return GraphOperators.rowCoupling(ops);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Could not read the operators of %s (%s); batching it as a model whose rows are independent",
                    source, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * How ONNX Runtime's threads fit the machine, unless configured: the cores are shared out among the executions
     * that run at once (all of them for one batch at a time; one each for rows that run alone in parallel, where
     * threads of concurrent executions would only contend), and idle threads of a pool spin for work only when
     * one execution runs at a time: a spinning thread takes the core another execution, or the server's event
     * loops, would use.
     */
    record Threads(int executions, int intraOp, boolean spinning) {
    }

    private Threads threads(int executions) {
        int cores = Runtime.getRuntime().availableProcessors();
        int intraOp = config.intraOpThreads() > 0 ? config.intraOpThreads() : Math.max(1, cores / executions);
        return new Threads(executions, intraOp, config.intraOpSpinning().orElse(executions == 1 && intraOp > 1));
    }

    /**
     * How to open a second session with one spinning thread per core, for executions that run alone, where the
     * executions share the cores out on CPU ({@link LoneExecution}); it is opened once the model is ready.
     */
    private LoneExecution loneExecution(ModelSource source, List<ExecutionProvider> active, Threads threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        Optional<Boolean> configured = config.loneExecutionAllCores();
        if (configured.isPresent() && !configured.get()) {
            return LoneExecution.none(threads.intraOp(), LoneExecution.CONFIG_KEY + "=false");
        }
        if (!active.equals(List.of(ExecutionProvider.CPU))) {
            return LoneExecution.none(threads.intraOp(), "the model runs on " + names(active));
        }
        if (threads.intraOp() >= cores) {
            return LoneExecution.none(threads.intraOp(), "each execution has every core already");
        }
        Threads lone = new Threads(1, cores, config.intraOpSpinning().orElse(true));
        // The model's bytes are read again when it opens, not kept: held, they took 23 MiB of a 160 MiB heap whose
        // in-flight budget assumes it free (HostileMemoryIT ran out of heap)
        return LoneExecution.allCores(() -> createSession(source, source.file().isPresent() ? null
                : source.readResource(), active, Map.of(), lone), cores);
    }

    private OrtSession createSession(ModelSource source, byte[] resource, List<ExecutionProvider> providers,
            Map<ExecutionProvider, Map<String, String>> providerOptions, Threads threads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                SessionProviders appended = new SessionProviders()) {
            options.setOptimizationLevel(optLevel(config.optimizationLevel()));
            options.setIntraOpNumThreads(threads.intraOp());
            options.addConfigEntry("session.intra_op.allow_spinning", threads.spinning() ? "1" : "0");
            options.addConfigEntry("session.force_spinning_stop", config.spinningStopsAfterRun() ? "1" : "0");
            // The arena keeps its peak, rounded up to powers of two, and memory patterns are planned per input
            // shape: with sequence lengths that vary, both grow with the variety of requests. Off, intermediate
            // tensors come from malloc and go back to it.
            options.setCPUArenaAllocator(config.cpuArena());
            options.setMemoryPatternOptimization(config.cpuArena());
            if (config.interOpThreads() > 0) {
                options.setInterOpNumThreads(config.interOpThreads());
            }
            appended.append(options, providers, providerOptions);
            return open(source, resource, options);
        }
    }

    private OrtSession open(ModelSource source, byte[] resource, OrtSession.SessionOptions options)
            throws OrtException {
        if (source.file().isPresent()) {
            return env.createSession(source.file().get().toString(), options);
        }
        return env.createSession(resource, options);
    }

    private ModelMetadata describe(OrtSession session, ModelSource source, ZeroserveConfig.Model modelConfig,
            List<ExecutionProvider> active, Map<ExecutionProvider, Map<String, String>> providerOptions,
            Threads threads) throws OrtException {
        long onnxVersion = session.getMetadata().getVersion();
        String version = modelConfig.version()
                .or(source::layoutVersion)
                .orElse(onnxVersion > 0 && onnxVersion != Long.MAX_VALUE ? Long.toString(onnxVersion) : "1");
        String name = modelConfig.name().orElseGet(source::defaultName);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(ModelMetadata.EXECUTION_PROVIDER, name(active.get(0)));
        properties.put(ModelMetadata.EXECUTION_PROVIDERS, names(active));
        properties.put("onnxruntime_version", env.getVersion());
        properties.put("parallel_executions", Integer.toString(threads.executions()));
        properties.put("intra_op_threads", Integer.toString(threads.intraOp()));
        properties.put("intra_op_spinning", Boolean.toString(threads.spinning()));
        properties.put("spinning_stops_after_run", Boolean.toString(config.spinningStopsAfterRun()));
        properties.put("cpu_arena", Boolean.toString(config.cpuArena()));
        properties.putAll(ProviderOptions.properties(providerOptions));
        return new ModelMetadata(name, version, ModelMetadata.PLATFORM,
                specs("input", session.getInputInfo()), specs("output", session.getOutputInfo()), Map.copyOf(properties));
    }

    private static List<TensorSpec> specs(String kind, Map<String, NodeInfo> nodes) {
        List<TensorSpec> specs = new ArrayList<>(nodes.size());
        for (NodeInfo node : nodes.values()) {
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new ModelLoadException(kind + " '" + node.getName() + "' is " + node.getInfo()
                        + "; only tensor inputs and outputs can be served", null);
            }
            DataType type = DataType.fromOnnx(info.onnxType);
            if (type == null || !type.supportedByOnnxRuntime()) {
                throw new ModelLoadException(kind + " '" + node.getName() + "' has element type " + info.onnxType
                        + ", which ONNX Runtime's Java API cannot create or read", null);
            }
            long[] shape = info.getShape().clone();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0) {
                    shape[i] = TensorSpec.DYNAMIC;
                }
            }
            specs.add(new TensorSpec(node.getName(), type, shape, info.getDimensionNames()));
        }
        return List.copyOf(specs);
    }

    private static OrtSession.SessionOptions.OptLevel optLevel(ZeroserveConfig.OptimizationLevel level) {
        return switch (level) {
            case DISABLE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
            case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
            case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
            case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
        };
    }

    private static OrtProvider ortProvider(ExecutionProvider provider) {
        return switch (provider) {
            case TENSORRT -> OrtProvider.TENSOR_RT;
            case CUDA -> OrtProvider.CUDA;
            case CPU -> OrtProvider.CPU;
        };
    }

    private static String name(ExecutionProvider provider) {
        return ProviderOptions.name(provider);
    }

    private static String names(List<ExecutionProvider> providers) {
        return providers.stream().map(OnnxModelLoader::name).collect(Collectors.joining(","));
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.debug("closing a half-loaded session failed", e);
        }
    }
}
