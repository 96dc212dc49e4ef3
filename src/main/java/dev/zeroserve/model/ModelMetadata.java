package dev.zeroserve.model;

import java.util.List;
import java.util.Map;

/**
 * What the loaded model is, read from the ONNX Runtime session.
 *
 * @param properties facts for operators, such as the active execution provider
 */
public record ModelMetadata(String name, String version, String platform, List<TensorSpec> inputs,
        List<TensorSpec> outputs, Map<String, String> properties) {

    /** Triton's platform string for ONNX Runtime models, which its clients recognise. */
    public static final String PLATFORM = "onnxruntime_onnx";

    public TensorSpec input(String inputName) {
        return find(inputs, inputName);
    }

    public TensorSpec output(String outputName) {
        return find(outputs, outputName);
    }

    private static TensorSpec find(List<TensorSpec> specs, String name) {
        for (TensorSpec spec : specs) {
            if (spec.name().equals(name)) {
                return spec;
            }
        }
        return null;
    }
}
