package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.config.ZeroserveConfig.ExecutionProvider;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.testing.TestConfig;

/** From configuration to the exact option names and values that ONNX Runtime's GPU providers are given. */
class ProviderOptionsTest {
    private static final TensorRtProfiles.Profile BUNDLED_PROFILE = TensorRtProfiles.of(TensorRtProfilesTest.BUNDLED,
            new TensorRtProfiles.Bounds(16, 256, 8));

    private static Map<ExecutionProvider, Map<String, String>> options(Map<String, String> properties,
            TensorRtProfiles.Profile profile) {
        ZeroserveConfig.Engine engine = TestConfig.with(properties).engine();
        return ProviderOptions.of(engine.executionProviders(), engine, profile);
    }

    @Test
    void theDefaultsForTheBundledModelOnTensorRtAndCuda() {
        Map<ExecutionProvider, Map<String, String>> options = options(
                Map.of("zeroserve.engine.execution-providers", "tensorrt,cuda,cpu"), BUNDLED_PROFILE);
        assertThat(options).containsOnlyKeys(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA);
        assertThat(options.get(ExecutionProvider.TENSORRT)).containsExactly(
                entry("device_id", "0"),
                entry("trt_engine_cache_enable", "1"),
                entry("trt_engine_cache_path", "/tmp/zeroserve-tensorrt"),
                entry("trt_timing_cache_enable", "1"),
                entry("trt_timing_cache_path", "/tmp/zeroserve-tensorrt"),
                entry("trt_fp16_enable", "1"),
                entry("trt_int8_enable", "0"),
                entry("trt_max_workspace_size", "1073741824"),
                entry("trt_profile_min_shapes", "input_ids:1x1,attention_mask:1x1,token_type_ids:1x1"),
                entry("trt_profile_opt_shapes", "input_ids:16x256,attention_mask:16x256,token_type_ids:16x256"),
                entry("trt_profile_max_shapes", "input_ids:16x256,attention_mask:16x256,token_type_ids:16x256"));
        assertThat(options.get(ExecutionProvider.CUDA)).containsExactly(
                entry("device_id", "0"),
                entry("cudnn_conv_algo_search", "HEURISTIC"),
                entry("arena_extend_strategy", "kSameAsRequested"),
                entry("enable_cuda_graph", "0"));
    }

    @Test
    void everyTensorRtKeyChangesItsOption() {
        Map<String, String> tensorrt = options(Map.of("zeroserve.engine.execution-providers", "tensorrt",
                "zeroserve.engine.device-id", "1",
                "zeroserve.engine.tensorrt.engine-cache", "false",
                "zeroserve.engine.tensorrt.timing-cache", "false",
                "zeroserve.engine.tensorrt.cache-dir", "/cache/trt",
                "zeroserve.engine.tensorrt.fp16", "false",
                "zeroserve.engine.tensorrt.int8", "true",
                "zeroserve.engine.tensorrt.int8-calibration-table", "calibration.flatbuffers",
                "zeroserve.engine.tensorrt.max-workspace-size", "2G",
                "zeroserve.engine.tensorrt.profiles", "false"), BUNDLED_PROFILE).get(ExecutionProvider.TENSORRT);
        assertThat(tensorrt).containsExactly(
                entry("device_id", "1"),
                entry("trt_engine_cache_enable", "0"),
                entry("trt_engine_cache_path", "/cache/trt"),
                entry("trt_timing_cache_enable", "0"),
                entry("trt_fp16_enable", "0"),
                entry("trt_int8_enable", "1"),
                entry("trt_int8_calibration_table_name", "calibration.flatbuffers"),
                entry("trt_max_workspace_size", "2147483648"));
    }

    @Test
    void everyCudaKeyChangesItsOption() {
        Map<String, String> cuda = options(Map.of("zeroserve.engine.execution-providers", "cuda",
                "zeroserve.engine.cuda.cudnn-conv-algo-search", "exhaustive",
                "zeroserve.engine.cuda.arena-extend-strategy", "next-power-of-two",
                "zeroserve.engine.cuda.gpu-mem-limit", "4G",
                "zeroserve.engine.cuda.cuda-graph", "true"), TensorRtProfiles.Profile.NONE).get(ExecutionProvider.CUDA);
        assertThat(cuda).containsExactly(
                entry("device_id", "0"),
                entry("cudnn_conv_algo_search", "EXHAUSTIVE"),
                entry("arena_extend_strategy", "kNextPowerOfTwo"),
                entry("gpu_mem_limit", "4294967296"),
                entry("enable_cuda_graph", "1"));
    }

    @Test
    void theCpuProviderTakesNoOptions() {
        assertThat(options(Map.of(), TensorRtProfiles.Profile.NONE)).isEmpty();
        assertThat(ProviderOptions.properties(Map.of())).isEmpty();
        assertThat(ProviderOptions.forLog(Map.of())).isEmpty();
    }

    @Test
    void theOptionsInForceAreShownAsPropertiesAndInTheLog() {
        Map<ExecutionProvider, Map<String, String>> options = options(
                Map.of("zeroserve.engine.execution-providers", "tensorrt,cuda"), BUNDLED_PROFILE);
        Map<String, String> properties = ProviderOptions.properties(options);
        assertThat(properties).containsEntry("tensorrt.trt_fp16_enable", "1")
                .containsEntry("tensorrt.trt_engine_cache_path", "/tmp/zeroserve-tensorrt")
                .containsEntry("cuda.cudnn_conv_algo_search", "HEURISTIC")
                .hasSize(options.get(ExecutionProvider.TENSORRT).size() + options.get(ExecutionProvider.CUDA).size());
        assertThat(ProviderOptions.forLog(options)).startsWith(" (tensorrt: device_id=0, trt_engine_cache_enable=1")
                .contains("; cuda: device_id=0, cudnn_conv_algo_search=HEURISTIC").endsWith(")");
    }

    @Test
    void aRejectedOptionIsNamedByItsConfigurationKey() {
        Map<String, String> tensorrt = options(Map.of("zeroserve.engine.execution-providers", "tensorrt"),
                BUNDLED_PROFILE).get(ExecutionProvider.TENSORRT);
        assertThat(ProviderOptions.configKeysNamedIn("Invalid value for trt_max_workspace_size", tensorrt))
                .isEqualTo("zeroserve.engine.tensorrt.max-workspace-size (trt_max_workspace_size=1073741824)");
        assertThat(ProviderOptions.configKeysNamedIn("Unknown provider option: \"device_id\"",
                Map.of("device_id", "3"))).isEqualTo("zeroserve.engine.device-id (device_id=3)");
        // The GPU build without CUDA's libraries fails here too, naming no option (seen with -Pgpu on this CPU host).
        assertThat(ProviderOptions.configKeysNamedIn("Failed to load library libonnxruntime_providers_tensorrt.so "
                + "with error: libcublas.so.12: cannot open shared object file", tensorrt)).isEmpty();
    }

    @Test
    void cudaGraphsAreRefusedForModelsWithDynamicDimensions() {
        ZeroserveConfig.Engine engine = TestConfig.with(Map.of("zeroserve.engine.cuda.cuda-graph", "true")).engine();
        assertThatThrownBy(() -> ProviderOptions.checkCudaGraph(engine.cuda(), TensorRtProfilesTest.BUNDLED))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("zeroserve.engine.cuda.cuda-graph=true: input 'input_ids'");
        assertThatCode(() -> ProviderOptions.checkCudaGraph(engine.cuda(),
                List.of(new TensorSpec("x", DataType.FP32, new long[] { 1, 3 })))).doesNotThrowAnyException();
        assertThatCode(() -> ProviderOptions.checkCudaGraph(TestConfig.with(Map.of()).engine().cuda(),
                TensorRtProfilesTest.BUNDLED)).doesNotThrowAnyException();
    }
}
