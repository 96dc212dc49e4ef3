package dev.zeroserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.AcceleratedModels;

/** The GPU providers in force as Triton's /config shows them: optimization.execution_accelerators. */
class TritonModelOptimizationTest {

    private static TritonModel.Config config(Map<String, String> properties) {
        return AcceleratedModels.config(properties);
    }

    @Test
    void onCpuThereIsNoAccelerator() throws Exception {
        TritonModel.Config config = config(AcceleratedModels.CPU);
        assertThat(config.optimization()).isNull();
        assertThat(config.instanceGroup().get(0).kind()).isEqualTo(TritonModel.KIND_CPU);
        assertThat(new ObjectMapper().valueToTree(config).has("optimization")).isFalse();
    }

    @Test
    void eachGpuProviderIsAnAcceleratorWithTheOptionsOnnxRuntimeWasGiven() throws Exception {
        TritonModel.Config config = config(AcceleratedModels.tensorRtAndCuda());
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
