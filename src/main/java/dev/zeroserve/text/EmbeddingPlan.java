package dev.zeroserve.text;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InvalidEmbeddingRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.TensorSpec;

/**
 * What a model takes and gives for text, read once from its metadata: its token inputs, the output of token vectors
 * and their size, and what every text's request shares (the padding of its sequence dimension, the output asked for).
 *
 * @param metadata the model the plan is for
 * @param hiddenSize the size of a token vector, {@link TensorSpec#DYNAMIC} when the model does not say
 */
public record EmbeddingPlan(ModelMetadata metadata, List<TensorSpec> inputs, String output, int hiddenSize,
        SequencePadding padding, List<InferenceRequest.RequestedOutput> requestedOutputs) {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";

    /**
     * @param configuredOutput the output named by zeroserve.embeddings.output, if any; else the first of rank 3
     * @throws InvalidEmbeddingRequest when the model does not take token ids or give token vectors
     */
    static EmbeddingPlan of(ModelMetadata metadata, long padId, Optional<String> configuredOutput) {
        List<TensorSpec> inputs = new ArrayList<>();
        for (TensorSpec spec : metadata.inputs()) {
            boolean known = spec.name().equals(INPUT_IDS) || spec.name().equals(ATTENTION_MASK)
                    || spec.name().equals(TOKEN_TYPE_IDS);
            if (!known || spec.shape().length != 2
                    || (spec.dataType() != DataType.INT64 && spec.dataType() != DataType.INT32)) {
                throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' cannot embed text: its "
                        + "input '" + spec.name() + "' (" + spec.dataType() + " " + Arrays.toString(spec.shape())
                        + ") is not one of input_ids, attention_mask, token_type_ids as INT64 or INT32 "
                        + "[batch, sequence]");
            }
            inputs.add(spec);
        }
        if (metadata.input(INPUT_IDS) == null) {
            throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' cannot embed text: it has no "
                    + "input 'input_ids'");
        }
        TensorSpec output = configuredOutput.map(metadata::output).orElseGet(() -> metadata.outputs().stream()
                .filter(spec -> spec.shape().length == 3).findFirst().orElse(null));
        if (output == null || output.shape().length != 3 || output.dataType() != DataType.FP32) {
            throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' cannot embed text: "
                    + configuredOutput.map(name -> "output '" + name + "' (zeroserve.embeddings.output)")
                            .orElse("no output")
                    + " holds FP32 token vectors [batch, sequence, hidden]");
        }
        Map<String, Long> padValues = new LinkedHashMap<>();
        for (TensorSpec spec : inputs) {
            padValues.put(spec.name(), spec.name().equals(INPUT_IDS) ? padId : 0L);
        }
        return new EmbeddingPlan(metadata, List.copyOf(inputs), output.name(), (int) output.shape()[2],
                new SequencePadding(padValues),
                List.of(new InferenceRequest.RequestedOutput(output.name(), Map.of())));
    }

    /** One request per text, of one row whose sequence dimension the engine may pad to share an execution. */
    public List<InferenceRequest> requests(String model, TokenizedInputs tokens) {
        List<InferenceRequest> requests = new ArrayList<>(tokens.size());
        for (int text = 0; text < tokens.size(); text++) {
            requests.add(new InferenceRequest(model, null, null, Map.of(), tensors(tokens, text), requestedOutputs,
                    InferenceRequest.NO_DEADLINE, padding));
        }
        return requests;
    }

    /** The model's inputs for one text, [1, its length]. */
    private List<Tensor> tensors(TokenizedInputs tokens, int text) {
        long[] ids = tokens.ids()[text];
        long[] typeIds = tokens.typeIds()[text];
        int length = ids.length;
        long[] shape = { 1, length };
        List<Tensor> tensors = new ArrayList<>(inputs.size());
        for (TensorSpec spec : inputs) {
            DataType type = spec.dataType();
            // Direct: a text that runs alone (the default for the bundled model) goes to ONNX Runtime in place.
            ByteBuffer data = Tensor.allocate((long) length * type.byteSize());
            for (int t = 0; t < length; t++) {
                long value = switch (spec.name()) {
                    case INPUT_IDS -> ids[t];
                    case ATTENTION_MASK -> 1;
                    default -> typeIds[t];
                };
                if (type == DataType.INT64) {
                    data.putLong(value);
                } else {
                    data.putInt((int) value);
                }
            }
            tensors.add(Tensor.of(spec.name(), type, shape, data.flip()));
        }
        return tensors;
    }
}
