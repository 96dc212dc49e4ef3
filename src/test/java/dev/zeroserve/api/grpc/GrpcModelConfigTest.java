package dev.zeroserve.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.api.TritonModel;
import dev.zeroserve.api.grpc.v2.ModelConfig;
import dev.zeroserve.api.grpc.v2.ModelInstanceGroup;
import dev.zeroserve.api.grpc.v2.ModelOptimizationPolicy.ExecutionAccelerators.Accelerator;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.serving.ModelConfiguration;

/** gRPC's ModelConfig carries what REST's /config does, the GPU accelerators included, as Triton's message does. */
class GrpcModelConfigTest {

    private static ModelConfig config(Map<String, String> properties) {
        TensorSpec spec = new TensorSpec("x", DataType.INT64, new long[] { -1, -1 });
        ModelMetadata metadata = new ModelMetadata("m", "1", ModelMetadata.PLATFORM, List.of(spec), List.of(spec),
                properties);
        return GrpcModelConfig.of(TritonModel.config(new ModelConfiguration(metadata, 16, 2, 0, 0)));
    }

    @Test
    void onCpuThereIsNoOptimization() {
        ModelConfig config = config(Map.of(ModelMetadata.EXECUTION_PROVIDER, "cpu",
                ModelMetadata.EXECUTION_PROVIDERS, "cpu"));
        assertThat(config.hasOptimization()).isFalse();
        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
        assertThat(config.getInstanceGroup(0).getCount()).isEqualTo(2);
        assertThat(config.getMaxBatchSize()).isEqualTo(16);
    }

    @Test
    void eachGpuProviderIsAnAcceleratorWithItsOptionsAsInRestsConfig() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(ModelMetadata.EXECUTION_PROVIDER, "tensorrt");
        properties.put(ModelMetadata.EXECUTION_PROVIDERS, "tensorrt,cuda,cpu");
        properties.put("cuda.cudnn_conv_algo_search", "HEURISTIC");
        properties.put("tensorrt.trt_fp16_enable", "1");
        properties.put("tensorrt.trt_engine_cache_enable", "1");
        ModelConfig config = config(properties);
        List<Accelerator> accelerators = config.getOptimization().getExecutionAccelerators()
                .getGpuExecutionAcceleratorList();
        assertThat(accelerators).extracting(Accelerator::getName).containsExactly("tensorrt", "cuda");
        assertThat(accelerators.get(0).getParametersMap()).containsEntry("trt_fp16_enable", "1")
                .containsEntry("trt_engine_cache_enable", "1").hasSize(2);
        assertThat(accelerators.get(1).getParametersMap()).containsExactly(Map.entry("cudnn_conv_algo_search",
                "HEURISTIC"));
        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_GPU);
        assertThat(config.getParametersMap().get("tensorrt.trt_fp16_enable").getStringValue()).isEqualTo("1");
    }
}
