package dev.zeroserve.api.openai;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import dev.zeroserve.inference.EmbeddingInputs;
import dev.zeroserve.inference.EmbeddingLimits;
import dev.zeroserve.inference.InvalidEmbeddingRequest;

/**
 * A decoded {@code POST /v1/embeddings} body. {@code input} is a string, an array of strings, an array of token ids,
 * or an array of token id arrays; {@code user} and unknown fields are accepted and ignored. The body is read as a
 * stream and its counts bounded as they are read: more inputs than allowed, a text longer than any the server takes,
 * or more token ids than a sequence may have are refused (or, with truncation, cut) without first building the
 * whole document, which for a body of millions of one-character strings would take far more heap than the body.
 */
record EmbeddingsRequest(String model, EmbeddingInputs inputs, boolean base64, OptionalInt dimensions) {
    private static final String INPUT_FORMS = "'input' must be a non-empty string, an array of strings, an array of "
            + "token ids, or an array of token id arrays";

    /** A parser factory whose strings are bounded for these limits. */
    static JsonFactory factory(EmbeddingLimits limits) {
        return JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(limits.longestText()).build()).build();
    }

    /** @throws InvalidEmbeddingRequest naming the field at fault */
    static EmbeddingsRequest parse(JsonFactory json, EmbeddingLimits limits, byte[] body) {
        try (JsonParser parser = json.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidEmbeddingRequest(null, "the body must be a JSON object with 'model' and 'input'");
            }
            String model = null;
            EmbeddingInputs inputs = null;
            boolean base64 = false;
            OptionalInt dimensions = OptionalInt.empty();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "model" -> model = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case "input" -> inputs = new Inputs(parser, limits).read();
                    case "encoding_format" -> base64 = base64(parser);
                    case "dimensions" -> dimensions = dimensions(parser);
                    default -> parser.skipChildren();
                }
            }
            if (model == null || model.isEmpty()) {
                throw new InvalidEmbeddingRequest("model", "'model' must be given as the name of the model (see "
                        + "GET /v1/models)");
            }
            if (inputs == null) {
                throw new InvalidEmbeddingRequest("input", "'input' is missing; " + INPUT_FORMS);
            }
            return new EmbeddingsRequest(model, inputs, base64, dimensions);
        } catch (StreamConstraintsException e) {
            throw new InvalidEmbeddingRequest("input", limits.truncate()
                    ? "an input has over " + limits.longestText() + " characters, more than the "
                            + EmbeddingLimits.TRUNCATED_TEXT_FACTOR + " times " + limits.maxInputCharacters()
                            + " that are read of a text before it is cut (zeroserve.embeddings.max-input-characters)"
                    : "an input has over " + limits.longestText() + " characters, more than the "
                            + limits.maxInputCharacters() + " a text may have (zeroserve.embeddings."
                            + "max-input-characters); shorten it, or set zeroserve.embeddings.truncate=true to have "
                            + "longer inputs cut");
        } catch (JsonProcessingException e) {
            throw new InvalidEmbeddingRequest(null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEmbeddingRequest(null, "the body could not be read: " + e.getMessage());
        }
    }

    /** The {@code input} field, read as it streams. */
    private static final class Inputs {
        private final JsonParser parser;
        private final EmbeddingLimits limits;

        Inputs(JsonParser parser, EmbeddingLimits limits) {
            this.parser = parser;
            this.limits = limits;
        }

        EmbeddingInputs read() throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.VALUE_STRING) {
                return EmbeddingInputs.ofTexts(List.of(parser.getText()));
            }
            if (token != JsonToken.START_ARRAY) {
                throw new InvalidEmbeddingRequest("input", INPUT_FORMS + ", not " + kind(parser));
            }
            JsonToken first = parser.nextToken();
            return switch (first) {
                case END_ARRAY -> throw new InvalidEmbeddingRequest("input", "'input' is an empty array; "
                        + INPUT_FORMS);
                case VALUE_STRING -> EmbeddingInputs.ofTexts(texts());
                case START_ARRAY -> EmbeddingInputs.ofTokenIds(sequences());
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> EmbeddingInputs.ofTokenIds(List.of(tokenIds("input", "input[0]")));
                default -> throw new InvalidEmbeddingRequest("input", "input[0] is " + kind(parser) + "; "
                        + INPUT_FORMS);
            };
        }

        /** The strings of an array whose first string is the current token. */
        private List<String> texts() throws IOException {
            List<String> texts = new ArrayList<>();
            for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token != JsonToken.VALUE_STRING) {
                    throw new InvalidEmbeddingRequest("input", "input[" + texts.size() + "] is " + kind(parser)
                            + " in an array of strings; " + INPUT_FORMS);
                }
                if (texts.size() == limits.maxInputs()) {
                    throw tooManyInputs();
                }
                texts.add(parser.getText());
            }
            return texts;
        }

        /** The token id arrays of an array whose first array has just begun. */
        private List<long[]> sequences() throws IOException {
            List<long[]> sequences = new ArrayList<>();
            for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                String path = "input[" + sequences.size() + "]";
                if (token != JsonToken.START_ARRAY) {
                    throw new InvalidEmbeddingRequest("input", path + " is " + kind(parser)
                            + " in an array of token id arrays; " + INPUT_FORMS);
                }
                if (sequences.size() == limits.maxInputs()) {
                    throw tooManyInputs();
                }
                if (parser.nextToken() == JsonToken.END_ARRAY) {
                    throw new InvalidEmbeddingRequest("input", path + " is an empty array of token ids");
                }
                sequences.add(tokenIds(path, path));
            }
            return sequences;
        }

        /**
         * The ids of an array whose first element is the current token, up to the longest sequence the model takes:
         * the rest are skipped with truncation and refused without.
         */
        private long[] tokenIds(String path, String sequence) throws IOException {
            long[] ids = new long[16];
            int count = 0;
            for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new InvalidEmbeddingRequest("input", path + "[" + count + "] is " + kind(parser)
                            + " in an array of token ids; token ids are integers");
                }
                if (count == limits.maxSequenceLength()) {
                    if (!limits.truncate()) {
                        throw new InvalidEmbeddingRequest("input", sequence + " has " + (count + remaining())
                                + " tokens, more than the " + limits.maxSequenceLength() + " tokens the model takes "
                                + "(zeroserve.embeddings.max-sequence-length); shorten it, or set "
                                + "zeroserve.embeddings.truncate=true to have longer inputs cut");
                    }
                    remaining(); // the rest of the sequence, skipped
                    break;
                }
                if (count == ids.length) {
                    ids = Arrays.copyOf(ids, Math.min(2 * count, limits.maxSequenceLength()));
                }
                ids[count++] = parser.getLongValue();
            }
            return Arrays.copyOf(ids, count);
        }

        /** The inputs past the allowed ones are counted, not kept, so that the message can say how many came. */
        private InvalidEmbeddingRequest tooManyInputs() throws IOException {
            return new InvalidEmbeddingRequest("input", (limits.maxInputs() + remaining()) + " inputs in one request; "
                    + "at most " + limits.maxInputs() + " are allowed (zeroserve.embeddings.max-inputs)");
        }

        /** The elements from the current token to the end of the array it is in, skipped and counted. */
        private int remaining() throws IOException {
            int count = 0;
            for (JsonToken token = parser.currentToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                parser.skipChildren();
                count++;
            }
            return count;
        }
    }

    private static boolean base64(JsonParser format) throws IOException {
        JsonToken token = format.currentToken();
        if (token == JsonToken.VALUE_NULL || (token == JsonToken.VALUE_STRING && format.getText().equals("float"))) {
            return false;
        }
        if (token == JsonToken.VALUE_STRING && format.getText().equals("base64")) {
            return true;
        }
        String given = token == JsonToken.VALUE_STRING ? "\"" + format.getText() + "\"" : kind(format);
        format.skipChildren();
        throw new InvalidEmbeddingRequest("encoding_format", "invalid value for 'encoding_format' = " + given
                + "; supported values: 'float', 'base64'");
    }

    private static OptionalInt dimensions(JsonParser dimensions) throws IOException {
        JsonToken token = dimensions.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return OptionalInt.empty();
        }
        if (token != JsonToken.VALUE_NUMBER_INT || dimensions.getNumberType() != JsonParser.NumberType.INT
                || dimensions.getIntValue() < 1) {
            String given = token.isScalarValue() ? dimensions.getText() : kind(dimensions);
            throw new InvalidEmbeddingRequest("dimensions", "'dimensions' must be a positive integer, not " + given);
        }
        return OptionalInt.of(dimensions.getIntValue());
    }

    private static String kind(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer (" + parser.getText() + ")";
            case VALUE_NUMBER_FLOAT -> "a number (" + parser.getText() + ")";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase();
        };
    }
}
