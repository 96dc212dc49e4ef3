package dev.zeroserve.inference;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the loaded model is, read from the ONNX Runtime session.
 *
 * @param properties facts for operators, such as the active execution provider
 */
public record ModelMetadata(String name, String version, String platform, List<TensorSpec> inputs,
        List<TensorSpec> outputs, Map<String, String> properties) {

    /** Triton's platform string for ONNX Runtime models, which its clients recognise. */
    public static final String PLATFORM = "onnxruntime_onnx";
    /** Property: the provider that runs the model (the first active one). */
    public static final String EXECUTION_PROVIDER = "execution_provider";
    /** Property: every active provider, in order. */
    public static final String EXECUTION_PROVIDERS = "execution_providers";

    /** A model batches when every input and output has a dynamic first dimension, the batch. */
    public boolean batchable() {
        return Stream.concat(inputs.stream(), outputs.stream())
                .allMatch(spec -> spec.shape().length > 0 && spec.shape()[0] == TensorSpec.DYNAMIC);
    }

    /** Whether the model runs on CPU: the first active execution provider is ONNX Runtime's own. */
    public boolean onCpu() {
        return "cpu".equals(properties.get(EXECUTION_PROVIDER));
    }

    /** Whether some input is a token sequence ({@link TensorSpec#tokenSequence} at dimension 1). */
    public boolean takesTokenSequences() {
        return inputs.stream().anyMatch(spec -> spec.tokenSequence(1));
    }

    /**
     * The token positions of one row of a request: the longest dimension 1 among the inputs that the model takes as
     * token sequences ({@link TensorSpec#tokenSequence}), 0 where it takes none.
     */
    public long tokensPerRow(List<Tensor> requestInputs) {
        long tokens = 0;
        for (Tensor input : requestInputs) {
            TensorSpec spec = input(input.name());
            if (spec != null && spec.tokenSequence(1) && input.shape().length > 1) {
                tokens = Math.max(tokens, input.shape()[1]);
            }
        }
        return tokens;
    }

    /** The same model with more properties, added after the ones it has. */
    public ModelMetadata withProperties(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.putAll(more);
        return new ModelMetadata(name, version, platform, inputs, outputs, java.util.Collections.unmodifiableMap(all));
    }

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
