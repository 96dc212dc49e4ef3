package dev.zeroserve.api.grpc;

import java.util.Arrays;

import dev.zeroserve.api.TritonModel;
import dev.zeroserve.api.grpc.v2.DataType;
import dev.zeroserve.api.grpc.v2.ModelConfig;
import dev.zeroserve.api.grpc.v2.ModelDynamicBatching;
import dev.zeroserve.api.grpc.v2.ModelInput;
import dev.zeroserve.api.grpc.v2.ModelInstanceGroup;
import dev.zeroserve.api.grpc.v2.ModelOptimizationPolicy.ExecutionAccelerators;
import dev.zeroserve.api.grpc.v2.ModelOutput;
import dev.zeroserve.api.grpc.v2.ModelParameter;

/** Triton's ModelConfig message from the document REST's {@code /config} writes as JSON: the same fields. */
final class GrpcModelConfig {
    private GrpcModelConfig() {
    }

    static ModelConfig of(TritonModel.Config document) {
        ModelConfig.Builder builder = ModelConfig.newBuilder().setName(document.name())
                .setPlatform(document.platform()).setBackend(document.backend())
                .setMaxBatchSize(document.maxBatchSize())
                .setDefaultModelFilename(document.defaultModelFilename());
        for (TritonModel.Tensor input : document.input()) {
            builder.addInput(ModelInput.newBuilder().setName(input.name())
                    .setDataType(DataType.valueOf(input.dataType())).addAllDims(boxed(input.dims())));
        }
        for (TritonModel.Tensor output : document.output()) {
            builder.addOutput(ModelOutput.newBuilder().setName(output.name())
                    .setDataType(DataType.valueOf(output.dataType())).addAllDims(boxed(output.dims())));
        }
        for (TritonModel.InstanceGroup group : document.instanceGroup()) {
            ModelInstanceGroup.Builder instances = builder.addInstanceGroupBuilder().setName(group.name())
                    .setKind(ModelInstanceGroup.Kind.valueOf(group.kind())).setCount(group.count());
            for (int gpu : group.gpus()) {
                instances.addGpus(gpu);
            }
        }
        if (document.dynamicBatching() != null) {
            builder.setDynamicBatching(ModelDynamicBatching.newBuilder()
                    .setMaxQueueDelayMicroseconds(document.dynamicBatching().maxQueueDelayMicroseconds())
                    .setPreserveOrdering(document.dynamicBatching().preserveOrdering()));
        }
        if (document.optimization() != null) {
            ExecutionAccelerators.Builder accelerators = builder.getOptimizationBuilder()
                    .getExecutionAcceleratorsBuilder();
            for (TritonModel.Accelerator accelerator : document.optimization().executionAccelerators()
                    .gpuExecutionAccelerator()) {
                accelerators.addGpuExecutionAcceleratorBuilder().setName(accelerator.name())
                        .putAllParameters(accelerator.parameters());
            }
        }
        document.parameters().forEach((key, value) -> builder.putParameters(key,
                ModelParameter.newBuilder().setStringValue(value.stringValue()).build()));
        return builder.build();
    }

    private static Iterable<Long> boxed(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
