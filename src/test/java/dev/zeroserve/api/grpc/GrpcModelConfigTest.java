package dev.zeroserve.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.ModelConfig;
import dev.zeroserve.api.grpc.v2.ModelInstanceGroup;
import dev.zeroserve.api.grpc.v2.ModelOptimizationPolicy.ExecutionAccelerators.Accelerator;
import dev.zeroserve.testing.AcceleratedModels;

/** gRPC's ModelConfig carries what REST's /config does, the GPU accelerators included, as Triton's message does. */
class GrpcModelConfigTest {

    private static ModelConfig config(Map<String, String> properties) {
        return GrpcModelConfig.of(AcceleratedModels.config(properties));
    }

    @Test
    void onCpuThereIsNoOptimization() {
        ModelConfig config = config(AcceleratedModels.CPU);
        assertThat(config.hasOptimization()).isFalse();
        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
        assertThat(config.getInstanceGroup(0).getCount()).isEqualTo(2);
        assertThat(config.getMaxBatchSize()).isEqualTo(16);
    }

    @Test
    void eachGpuProviderIsAnAcceleratorWithItsOptionsAsInRestsConfig() {
        ModelConfig config = config(AcceleratedModels.tensorRtAndCuda());
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
