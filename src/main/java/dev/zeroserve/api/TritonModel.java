package dev.zeroserve.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceStatistics;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.serving.ModelConfiguration;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Triton's model configuration and statistics (its model_config.proto and grpc_service.proto), filled from the served
 * model and its counters once, here: the REST adapter writes them as Triton's JSON, the gRPC adapter as its messages.
 * perf_analyzer and Model Analyzer read the batch size, tensors, instance groups and dynamic batching from the first,
 * success and failure counts and queue and compute times from the second.
 */
@RegisterForReflection(targets = { TritonModel.Tensor.class, TritonModel.InstanceGroup.class,
        TritonModel.DynamicBatching.class, TritonModel.Parameter.class, TritonModel.Config.class,
        TritonModel.Accelerator.class, TritonModel.ExecutionAccelerators.class, TritonModel.Optimization.class,
        TritonModel.Duration.class, TritonModel.InferStatistics.class, TritonModel.InferBatchStatistics.class,
        TritonModel.ModelStatistics.class, TritonModel.StatisticsBody.class })
public final class TritonModel {
    /** Triton's backend name for ONNX Runtime. */
    public static final String BACKEND = "onnxruntime";
    public static final String DEFAULT_MODEL_FILENAME = "model.onnx";
    public static final String KIND_CPU = "KIND_CPU";
    public static final String KIND_GPU = "KIND_GPU";
    /** The GPU accelerators of Triton's ONNX Runtime backend, as the metadata's option prefixes name them. */
    private static final List<String> GPU_ACCELERATORS = List.of("tensorrt", "cuda");

    private TritonModel() {
    }

    /** An input or output: Triton's data type name, and its dimensions without the batch dimension, if batched. */
    public record Tensor(String name, @JsonProperty("data_type") String dataType, long[] dims) {
    }

    public record InstanceGroup(String name, String kind, int count, int[] gpus) {
    }

    public record DynamicBatching(@JsonProperty("preferred_batch_size") int[] preferredBatchSize,
            @JsonProperty("max_queue_delay_microseconds") long maxQueueDelayMicroseconds,
            @JsonProperty("preserve_ordering") boolean preserveOrdering) {
    }

    public record Parameter(@JsonProperty("string_value") String stringValue) {
    }

    /** An execution accelerator as Triton's ONNX Runtime backend names it, with ONNX Runtime's own option names. */
    public record Accelerator(String name, Map<String, String> parameters) {
    }

    public record ExecutionAccelerators(
            @JsonProperty("gpu_execution_accelerator") List<Accelerator> gpuExecutionAccelerator) {
    }

    public record Optimization(@JsonProperty("execution_accelerators") ExecutionAccelerators executionAccelerators) {
    }

    /**
     * @param dynamicBatching present when rows of different requests share executions, else null
     * @param optimization the GPU providers in force and their options, else null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Config(String name, String platform, String backend,
            @JsonProperty("max_batch_size") int maxBatchSize, List<Tensor> input, List<Tensor> output,
            @JsonProperty("instance_group") List<InstanceGroup> instanceGroup,
            @JsonProperty("default_model_filename") String defaultModelFilename,
            @JsonProperty("dynamic_batching") DynamicBatching dynamicBatching, Optimization optimization,
            Map<String, Parameter> parameters) {
    }

    public record Duration(long count, long ns) {
        static Duration of(InferenceStatistics.Cumulative duration) {
            return new Duration(duration.count(), duration.nanos());
        }
    }

    public record InferStatistics(Duration success, Duration fail, Duration queue,
            @JsonProperty("compute_input") Duration computeInput,
            @JsonProperty("compute_infer") Duration computeInfer,
            @JsonProperty("compute_output") Duration computeOutput) {
    }

    /** The compute phases of the executions of one batch size (rows). */
    public record InferBatchStatistics(@JsonProperty("batch_size") long batchSize,
            @JsonProperty("compute_input") Duration computeInput,
            @JsonProperty("compute_infer") Duration computeInfer,
            @JsonProperty("compute_output") Duration computeOutput) {
    }

    public record ModelStatistics(String name, String version, @JsonProperty("last_inference") long lastInference,
            @JsonProperty("inference_count") long inferenceCount,
            @JsonProperty("execution_count") long executionCount,
            @JsonProperty("inference_stats") InferStatistics inferenceStats,
            @JsonProperty("batch_stats") List<InferBatchStatistics> batchStats) {
    }

    public record StatisticsBody(@JsonProperty("model_stats") List<ModelStatistics> modelStats) {
    }

    public static Config config(ModelConfiguration model) {
        ModelMetadata metadata = model.metadata();
        int maxBatchSize = model.maxBatchSize();
        boolean onCpu = metadata.onCpu();
        InstanceGroup instances = new InstanceGroup(metadata.name(), onCpu ? KIND_CPU : KIND_GPU,
                model.parallelExecutions(), onCpu ? new int[0] : new int[] { model.deviceId() });
        // Dynamic batching in Triton's sense: rows of different requests share executions.
        DynamicBatching batching = maxBatchSize > 1
                ? new DynamicBatching(new int[0], model.maxQueueDelayMicros(), false)
                : null;
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        metadata.properties().forEach((key, value) -> parameters.put(key, new Parameter(value)));
        return new Config(metadata.name(), metadata.platform(), BACKEND, maxBatchSize,
                tensors(metadata.inputs(), maxBatchSize > 0), tensors(metadata.outputs(), maxBatchSize > 0),
                List.of(instances), DEFAULT_MODEL_FILENAME, batching, optimization(metadata.properties()), parameters);
    }

    /**
     * Triton's {@code optimization.execution_accelerators}: one GPU accelerator for each provider whose options the
     * metadata shows ({@code tensorrt.<option>}, {@code cuda.<option>}), in the providers' order; null on CPU.
     */
    static Optimization optimization(Map<String, String> properties) {
        List<Accelerator> accelerators = new java.util.ArrayList<>();
        for (String provider : properties.getOrDefault(ModelMetadata.EXECUTION_PROVIDERS, "").split(",")) {
            String prefix = provider + ".";
            Map<String, String> options = new LinkedHashMap<>();
            properties.forEach((key, value) -> {
                if (GPU_ACCELERATORS.contains(provider) && key.startsWith(prefix)) {
                    options.put(key.substring(prefix.length()), value);
                }
            });
            if (!options.isEmpty()) {
                accelerators.add(new Accelerator(provider, java.util.Collections.unmodifiableMap(options)));
            }
        }
        return accelerators.isEmpty() ? null : new Optimization(new ExecutionAccelerators(accelerators));
    }

    public static ModelStatistics statistics(InferenceStatistics statistics) {
        ModelMetadata metadata = statistics.model();
        return new ModelStatistics(metadata.name(), metadata.version(), statistics.lastInferenceMillis(),
                statistics.inferenceCount(), statistics.executionCount(), new InferStatistics(
                        Duration.of(statistics.success()), Duration.of(statistics.failure()),
                        Duration.of(statistics.queue()), Duration.of(statistics.computeInput()),
                        Duration.of(statistics.computeInfer()), Duration.of(statistics.computeOutput())),
                statistics.batches().stream().map(batch -> new InferBatchStatistics(batch.batchSize(),
                        Duration.of(batch.computeInput()), Duration.of(batch.computeInfer()),
                        Duration.of(batch.computeOutput()))).toList());
    }

    /** Triton's name for a v2 data type: {@code TYPE_} and the v2 name, BYTES being {@code TYPE_STRING}. */
    public static String dataType(DataType type) {
        return "TYPE_" + (type == DataType.BYTES ? "STRING" : type.name());
    }

    private static List<Tensor> tensors(List<TensorSpec> specs, boolean batchDimension) {
        int skipped = batchDimension ? 1 : 0;
        return specs.stream().map(spec -> new Tensor(spec.name(), dataType(spec.dataType()),
                java.util.Arrays.copyOfRange(spec.shape(), skipped, spec.shape().length))).toList();
    }
}
