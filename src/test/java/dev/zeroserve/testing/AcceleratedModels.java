package dev.zeroserve.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.zeroserve.api.TritonModel;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.serving.ModelConfiguration;

/** Triton's model configuration of a small model with the metadata properties a CPU or a GPU load leaves. */
public final class AcceleratedModels {
    private AcceleratedModels() {
    }

    /** Served on CPU alone. */
    public static final Map<String, String> CPU = Map.of(ModelMetadata.EXECUTION_PROVIDER, "cpu",
            ModelMetadata.EXECUTION_PROVIDERS, "cpu");

    /** Served on TensorRT, then CUDA, then CPU, with two TensorRT options and one CUDA option in force. */
    public static Map<String, String> tensorRtAndCuda() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(ModelMetadata.EXECUTION_PROVIDER, "tensorrt");
        properties.put(ModelMetadata.EXECUTION_PROVIDERS, "tensorrt,cuda,cpu");
        properties.put("cuda.cudnn_conv_algo_search", "HEURISTIC");
        properties.put("tensorrt.trt_fp16_enable", "1");
        properties.put("tensorrt.trt_engine_cache_enable", "1");
        return properties;
    }

    /** A model "m" of one INT64 [-1, -1] input and output, batching 16 rows in 2 executions. */
    public static TritonModel.Config config(Map<String, String> properties) {
        TensorSpec spec = new TensorSpec("x", DataType.INT64, new long[] { -1, -1 });
        ModelMetadata metadata = new ModelMetadata("m", "1", ModelMetadata.PLATFORM, List.of(spec), List.of(spec),
                properties);
        return TritonModel.config(new ModelConfiguration(metadata, 16, 2, 0, 0));
    }
}
