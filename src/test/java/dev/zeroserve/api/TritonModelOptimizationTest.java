package dev.zeroserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.serving.ModelConfiguration;

/** The GPU providers in force as Triton's /config shows them: optimization.execution_accelerators. */
class TritonModelOptimizationTest {

    private static TritonModel.Config config(Map<String, String> properties) {
        TensorSpec spec = new TensorSpec("x", DataType.INT64, new long[] { -1, -1 });
        ModelMetadata metadata = new ModelMetadata("m", "1", ModelMetadata.PLATFORM, List.of(spec), List.of(spec),
                properties);
        return TritonModel.config(new ModelConfiguration(metadata, 16, 2, 0, 0));
    }

    @Test
    void onCpuThereIsNoAccelerator() throws Exception {
        TritonModel.Config config = config(Map.of(ModelMetadata.EXECUTION_PROVIDER, "cpu",
                ModelMetadata.EXECUTION_PROVIDERS, "cpu"));
        assertThat(config.optimization()).isNull();
        assertThat(config.instanceGroup().get(0).kind()).isEqualTo(TritonModel.KIND_CPU);
        assertThat(new ObjectMapper().valueToTree(config).has("optimization")).isFalse();
    }

    @Test
    void eachGpuProviderIsAnAcceleratorWithTheOptionsOnnxRuntimeWasGiven() throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(ModelMetadata.EXECUTION_PROVIDER, "tensorrt");
        properties.put(ModelMetadata.EXECUTION_PROVIDERS, "tensorrt,cuda,cpu");
        properties.put("cuda.cudnn_conv_algo_search", "HEURISTIC");
        properties.put("tensorrt.trt_fp16_enable", "1");
        properties.put("tensorrt.trt_engine_cache_enable", "1");
        TritonModel.Config config = config(properties);
        assertThat(config.instanceGroup().get(0).kind()).isEqualTo(TritonModel.KIND_GPU);
        assertThat(config.instanceGroup().get(0).count()).isEqualTo(2);

        JsonNode json = new ObjectMapper().valueToTree(config);
        JsonNode accelerators = json.at("/optimization/execution_accelerators/gpu_execution_accelerator");
        assertThat(accelerators).hasSize(2);
        assertThat(accelerators.get(0).get("name").asText()).isEqualTo("tensorrt");
        assertThat(accelerators.get(0).get("parameters").get("trt_fp16_enable").asText()).isEqualTo("1");
        assertThat(accelerators.get(0).get("parameters").get("trt_engine_cache_enable").asText()).isEqualTo("1");
        assertThat(accelerators.get(1).get("name").asText()).isEqualTo("cuda");
        assertThat(accelerators.get(1).get("parameters").get("cudnn_conv_algo_search").asText())
                .isEqualTo("HEURISTIC");
        // The same options stay in the model's parameters, as the metadata shows them.
        assertThat(json.at("/parameters/tensorrt.trt_fp16_enable/string_value").asText()).isEqualTo("1");
    }
}
