package dev.zeroserve.api.openai;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.text.EmbeddingInputs;
import dev.zeroserve.text.InvalidEmbeddingRequest;

/**
 * A decoded {@code POST /v1/embeddings} body. {@code input} is a string, an array of strings, an array of token ids,
 * or an array of token id arrays; {@code user} and unknown fields are accepted and ignored.
 */
record EmbeddingsRequest(String model, EmbeddingInputs inputs, boolean base64, OptionalInt dimensions) {
    private static final String INPUT_FORMS = "'input' must be a non-empty string, an array of strings, an array of "
            + "token ids, or an array of token id arrays";

    /** @throws InvalidEmbeddingRequest naming the field at fault */
    static EmbeddingsRequest parse(ObjectMapper mapper, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidEmbeddingRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEmbeddingRequest(null, "the body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEmbeddingRequest(null, "the body must be a JSON object with 'model' and 'input'");
        }
        JsonNode model = root.path("model");
        if (!model.isTextual() || model.asText().isEmpty()) {
            throw new InvalidEmbeddingRequest("model", "'model' must be given as the name of the model (see "
                    + "GET /v1/models)");
        }
        return new EmbeddingsRequest(model.asText(), inputs(root.path("input")), base64(root.path("encoding_format")),
                dimensions(root.path("dimensions")));
    }

    private static EmbeddingInputs inputs(JsonNode input) {
        if (input.isTextual()) {
            return EmbeddingInputs.ofTexts(List.of(input.asText()));
        }
        if (!input.isArray()) {
            throw new InvalidEmbeddingRequest("input", input.isMissingNode() ? "'input' is missing; " + INPUT_FORMS
                    : INPUT_FORMS + ", not " + kind(input));
        }
        if (input.isEmpty()) {
            throw new InvalidEmbeddingRequest("input", "'input' is an empty array; " + INPUT_FORMS);
        }
        JsonNode first = input.get(0);
        if (first.isTextual()) {
            List<String> texts = new ArrayList<>(input.size());
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (!item.isTextual()) {
                    throw new InvalidEmbeddingRequest("input", "input[" + i + "] is " + kind(item)
                            + " in an array of strings; " + INPUT_FORMS);
                }
                texts.add(item.asText());
            }
            return EmbeddingInputs.ofTexts(texts);
        }
        if (first.isArray()) {
            List<long[]> sequences = new ArrayList<>(input.size());
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                if (!item.isArray()) {
                    throw new InvalidEmbeddingRequest("input", "input[" + i + "] is " + kind(item)
                            + " in an array of token id arrays; " + INPUT_FORMS);
                }
                if (item.isEmpty()) {
                    throw new InvalidEmbeddingRequest("input", "input[" + i + "] is an empty array of token ids");
                }
                sequences.add(tokenIds(item, "input[" + i + "]"));
            }
            return EmbeddingInputs.ofTokenIds(sequences);
        }
        if (first.isNumber()) {
            return EmbeddingInputs.ofTokenIds(List.of(tokenIds(input, "input")));
        }
        throw new InvalidEmbeddingRequest("input", "input[0] is " + kind(first) + "; " + INPUT_FORMS);
    }

    private static long[] tokenIds(JsonNode array, String path) {
        long[] ids = new long[array.size()];
        for (int t = 0; t < ids.length; t++) {
            JsonNode id = array.get(t);
            if (!id.isIntegralNumber() || !id.canConvertToLong()) {
                throw new InvalidEmbeddingRequest("input", path + "[" + t + "] is " + kind(id)
                        + " in an array of token ids; token ids are integers");
            }
            ids[t] = id.asLong();
        }
        return ids;
    }

    private static boolean base64(JsonNode format) {
        if (format.isMissingNode() || format.isNull() || (format.isTextual() && format.asText().equals("float"))) {
            return false;
        }
        if (format.isTextual() && format.asText().equals("base64")) {
            return true;
        }
        throw new InvalidEmbeddingRequest("encoding_format", "invalid value for 'encoding_format' = " + format
                + "; supported values: 'float', 'base64'");
    }

    private static OptionalInt dimensions(JsonNode dimensions) {
        if (dimensions.isMissingNode() || dimensions.isNull()) {
            return OptionalInt.empty();
        }
        if (!dimensions.isIntegralNumber() || !dimensions.canConvertToInt() || dimensions.asInt() < 1) {
            throw new InvalidEmbeddingRequest("dimensions", "'dimensions' must be a positive integer, not "
                    + dimensions);
        }
        return OptionalInt.of(dimensions.asInt());
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer (" + node + ")" : "a number (" + node + ")";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }
}
