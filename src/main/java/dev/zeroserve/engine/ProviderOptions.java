package dev.zeroserve.engine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.zeroserve.config.GpuProviders;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.config.ZeroserveConfig.ExecutionProvider;
import dev.zeroserve.inference.TensorSpec;

/**
 * The options handed to ONNX Runtime's GPU providers, by ONNX Runtime's own names (checked against
 * {@code tensorrt_execution_provider_info.cc} and {@code cuda_execution_provider_info.cc}): derived from the
 * configuration and, for TensorRT, the model's optimization profile. The same maps are shown in the model metadata.
 */
public final class ProviderOptions {
    /** The configuration key behind each option, for a message when ONNX Runtime rejects one. */
    private static final Map<String, String> CONFIG_KEYS = Map.ofEntries(
            Map.entry("device_id", "zeroserve.engine.device-id"),
            Map.entry("trt_engine_cache_enable", "zeroserve.engine.tensorrt.engine-cache"),
            Map.entry("trt_engine_cache_path", "zeroserve.engine.tensorrt.cache-dir"),
            Map.entry("trt_timing_cache_enable", "zeroserve.engine.tensorrt.timing-cache"),
            Map.entry("trt_timing_cache_path", "zeroserve.engine.tensorrt.cache-dir"),
            Map.entry("trt_fp16_enable", "zeroserve.engine.tensorrt.fp16"),
            Map.entry("trt_int8_enable", "zeroserve.engine.tensorrt.int8"),
            Map.entry("trt_int8_calibration_table_name", "zeroserve.engine.tensorrt.int8-calibration-table"),
            Map.entry("trt_max_workspace_size", "zeroserve.engine.tensorrt.max-workspace-size"),
            Map.entry("trt_profile_min_shapes", "zeroserve.engine.tensorrt.profiles"),
            Map.entry("trt_profile_opt_shapes", "zeroserve.engine.tensorrt.profiles"),
            Map.entry("trt_profile_max_shapes", "zeroserve.engine.tensorrt.profiles"),
            Map.entry("cudnn_conv_algo_search", "zeroserve.engine.cuda.cudnn-conv-algo-search"),
            Map.entry("arena_extend_strategy", "zeroserve.engine.cuda.arena-extend-strategy"),
            Map.entry("gpu_mem_limit", "zeroserve.engine.cuda.gpu-mem-limit"),
            Map.entry("enable_cuda_graph", "zeroserve.engine.cuda.cuda-graph"));

    private ProviderOptions() {
    }

    /** The options of each GPU provider in {@code providers}, in their order; the CPU provider takes none. */
    public static Map<ExecutionProvider, Map<String, String>> of(List<ExecutionProvider> providers,
            ZeroserveConfig.Engine config, TensorRtProfiles.Profile profile) {
        Map<ExecutionProvider, Map<String, String>> options = new LinkedHashMap<>();
        for (ExecutionProvider provider : providers) {
            switch (provider) {
                case TENSORRT -> options.put(provider, tensorRt(config.tensorrt(), config.deviceId(), profile));
                case CUDA -> options.put(provider, cuda(config.cuda(), config.deviceId()));
                case CPU -> {
                    // ONNX Runtime's CPU provider is configured through the session options.
                }
            }
        }
        return options;
    }

    /** The TensorRT provider's options; the shapes only where the profile is explicit. */
    public static Map<String, String> tensorRt(GpuProviders.TensorRt config, int deviceId,
            TensorRtProfiles.Profile profile) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(deviceId));
        options.put("trt_engine_cache_enable", flag(config.engineCache()));
        if (config.engineCache() || config.int8()) {
            // The calibration table is read from the engine cache's directory too.
            options.put("trt_engine_cache_path", config.cacheDir());
        }
        options.put("trt_timing_cache_enable", flag(config.timingCache()));
        if (config.timingCache()) {
            options.put("trt_timing_cache_path", config.cacheDir());
        }
        options.put("trt_fp16_enable", flag(config.fp16()));
        options.put("trt_int8_enable", flag(config.int8()));
        if (config.int8()) {
            config.int8CalibrationTable().ifPresent(table -> options.put("trt_int8_calibration_table_name", table));
        }
        options.put("trt_max_workspace_size", Long.toString(config.maxWorkspaceSize().asLongValue()));
        if (config.profiles() && profile.explicit()) {
            options.put("trt_profile_min_shapes", profile.minShapes());
            options.put("trt_profile_opt_shapes", profile.optShapes());
            options.put("trt_profile_max_shapes", profile.maxShapes());
        }
        return options;
    }

    /** The CUDA provider's options; no memory limit unless one is configured. */
    public static Map<String, String> cuda(GpuProviders.Cuda config, int deviceId) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(deviceId));
        options.put("cudnn_conv_algo_search", config.cudnnConvAlgoSearch().name());
        options.put("arena_extend_strategy", switch (config.arenaExtendStrategy()) {
            case SAME_AS_REQUESTED -> "kSameAsRequested";
            case NEXT_POWER_OF_TWO -> "kNextPowerOfTwo";
        });
        config.gpuMemLimit().ifPresent(limit -> options.put("gpu_mem_limit", Long.toString(limit.asLongValue())));
        options.put("enable_cuda_graph", flag(config.cudaGraph()));
        return options;
    }

    /** The metadata properties that show the options in force: {@code <provider>.<option>}. */
    public static Map<String, String> properties(Map<ExecutionProvider, Map<String, String>> options) {
        Map<String, String> properties = new LinkedHashMap<>();
        options.forEach((provider, values) -> values.forEach(
                (key, value) -> properties.put(name(provider) + "." + key, value)));
        return properties;
    }

    /** The options as one line for the start-up log and messages: {@code key=value, ...}. */
    public static String describe(Map<String, String> options) {
        return options.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** Every provider's options for the start-up log line: {@code  (tensorrt: key=value, ...; cuda: ...)}. */
    public static String forLog(Map<ExecutionProvider, Map<String, String>> options) {
        if (options.isEmpty()) {
            return "";
        }
        return options.entrySet().stream().map(e -> name(e.getKey()) + ": " + describe(e.getValue()))
                .collect(Collectors.joining("; ", " (", ")"));
    }

    /**
     * A CUDA graph holds the shapes it was captured with: a model with a dynamic dimension cannot replay it.
     *
     * @throws ModelLoadException naming zeroserve.engine.cuda.cuda-graph and the first dynamic input
     */
    public static void checkCudaGraph(GpuProviders.Cuda config, List<TensorSpec> inputs) {
        if (!config.cudaGraph()) {
            return;
        }
        for (TensorSpec input : inputs) {
            if (Arrays.stream(input.shape()).anyMatch(size -> size == TensorSpec.DYNAMIC)) {
                throw new ModelLoadException("zeroserve.engine.cuda.cuda-graph=true: input '" + input.name()
                        + "' has dynamic dimensions " + Arrays.toString(input.shape()) + ", and a CUDA graph "
                        + "replays only the shapes it was captured with", null);
            }
        }
    }

    /** The configuration keys behind the options that ONNX Runtime's message names; empty where it names none. */
    static String configKeysNamedIn(String message, Map<String, String> options) {
        return options.keySet().stream().filter(message::contains)
                .map(key -> CONFIG_KEYS.getOrDefault(key, key) + " (" + key + "=" + options.get(key) + ")")
                .distinct().collect(Collectors.joining(", "));
    }

    public static String name(ExecutionProvider provider) {
        return provider.name().toLowerCase(Locale.ROOT);
    }

    private static String flag(boolean on) {
        return on ? "1" : "0";
    }
}
