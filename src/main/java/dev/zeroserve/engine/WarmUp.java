package dev.zeroserve.engine;

import java.util.ArrayList;
import java.util.List;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;

/**
 * Runs the model before it reports ready, so that the first client does not pay for ONNX Runtime's lazy
 * initialisation (memory arenas, kernel selection, GPU context): on the user's sample inputs, or on zero-filled ones
 * (empty strings for BYTES), which a model with a shape, scale or divisor input may refuse.
 */
public final class WarmUp {
    private WarmUp() {
    }

    /** Zero-filled inputs of the model's shapes, each dynamic dimension {@code dynamicDimSize}. */
    public static List<Tensor> zeroInputs(ModelMetadata metadata, int dynamicDimSize) {
        List<Tensor> inputs = new ArrayList<>(metadata.inputs().size());
        for (TensorSpec spec : metadata.inputs()) {
            long[] shape = spec.shape().clone();
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == TensorSpec.DYNAMIC) {
                    shape[i] = dynamicDimSize;
                }
            }
            long count = Shapes.elementCount(spec.name(), shape);
            long bytes = spec.dataType() == DataType.BYTES ? count * DataType.BYTES_LENGTH_PREFIX
                    : count * spec.dataType().byteSize();
            inputs.add(Tensor.of(spec.name(), spec.dataType(), shape, Tensor.allocate(bytes)));
        }
        return inputs;
    }

    /**
     * @throws dev.zeroserve.inference.InferenceException when ONNX Runtime cannot run the model on these inputs
     */
    public static void run(OnnxModel model, List<Tensor> inputs, List<String> outputs, int iterations) {
        for (int i = 0; i < iterations; i++) {
            model.run(inputs, outputs, RunObserver.NONE);
        }
    }
}
