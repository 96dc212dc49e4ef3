package dev.zeroserve.engine;

import java.util.ArrayList;
import java.util.List;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.model.ZeroserveConfig;

/**
 * Runs the model on zero-filled inputs (empty strings for BYTES) before it reports ready, so that the first client
 * does not pay for ONNX Runtime's lazy initialisation (memory arenas, kernel selection, GPU context).
 */
public final class WarmUp {
    private WarmUp() {
    }

    public static void run(OnnxModel model, ZeroserveConfig.Warmup config) {
        ModelMetadata metadata = model.metadata();
        List<Tensor> inputs = new ArrayList<>(metadata.inputs().size());
        for (TensorSpec spec : metadata.inputs()) {
            long[] shape = spec.shape().clone();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == TensorSpec.DYNAMIC) {
                    shape[i] = config.dynamicDimSize();
                }
            }
            long count = Shapes.elementCount(spec.name(), shape);
            long bytes = spec.dataType() == DataType.BYTES ? count * DataType.BYTES_LENGTH_PREFIX
                    : count * spec.dataType().byteSize();
            inputs.add(Tensor.of(spec.name(), spec.dataType(), shape, Tensor.allocate(bytes)));
        }
        List<String> outputs = metadata.outputs().stream().map(TensorSpec::name).toList();
        for (int i = 0; i < config.iterations(); i++) {
            model.run(inputs, outputs, RunObserver.NONE);
        }
    }
}
