package dev.zeroserve.api.rest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.util.TokenBuffer;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceRequest.RequestedOutput;
import dev.zeroserve.inference.RequestLimits;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;

/**
 * Reads a v2 JSON inference request with Jackson's streaming parser: the header's fields, checked and bounded as they
 * come; each input's {@code data} goes to {@link JsonTensorReader}, or its blob to {@link BinaryExtension}.
 */
final class JsonRequestReader {
    private JsonRequestReader() {
    }

    /** As {@link JsonInferenceCodec#decodeRequest}. */
    static InferenceRequest read(byte[] body, int jsonLength, String modelName, String modelVersion,
            long maxElements) {
        if (jsonLength == 0) {
            throw InferenceException.invalid("the request body is empty; it must be a v2 inference request in JSON");
        }
        BinaryExtension.Section binary = new BinaryExtension.Section(body, jsonLength);
        try (JsonParser parser = JsonInferenceCodec.JSON.createParser(body, 0, jsonLength)) {
            expect(parser.nextToken(), JsonToken.START_OBJECT, "the request body must be a JSON object");
            String id = null;
            Map<String, Object> parameters = Map.of();
            List<Tensor> inputs = null;
            List<RequestedOutput> outputs = List.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "id" -> {
                        expect(value, JsonToken.VALUE_STRING, "'id' must be a string");
                        id = parser.getText();
                    }
                    case "parameters" -> parameters = readParameters(parser, "request");
                    case "inputs" -> inputs = readInputs(parser, binary, jsonLength, maxElements);
                    case "outputs" -> outputs = readOutputs(parser);
                    default -> parser.skipChildren();
                }
            }
            if (inputs == null) {
                throw InferenceException.invalid("the request has no 'inputs'");
            }
            binary.checkFullyUsed(jsonLength);
            checkBooleanParameter(parameters, BinaryExtension.BINARY_DATA_OUTPUT, "request");
            for (RequestedOutput output : outputs) {
                checkBooleanParameter(output.parameters(), BinaryExtension.BINARY_DATA, "output '" + output.name() + "'");
            }
            return new InferenceRequest(modelName, modelVersion, id, parameters, inputs, outputs,
                    InferenceRequest.NO_DEADLINE);
        } catch (JsonProcessingException e) {
            // Jackson's StreamConstraintsException (nesting, number or name too long) has no location.
            throw InferenceException.invalid("malformed JSON request: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? ""
                            : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw InferenceException.invalid("unreadable request body: " + e.getMessage());
        }
    }

    private static List<Tensor> readInputs(JsonParser parser, BinaryExtension.Section binary, int jsonLength, long maxElements)
            throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, "'inputs' must be an array");
        List<Tensor> inputs = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            expect(parser.currentToken(), JsonToken.START_OBJECT, "each element of 'inputs' must be an object");
            RequestLimits.check("the request", "inputs", inputs.size() + 1, RequestLimits.MAX_TENSORS);
            inputs.add(readInput(parser, inputs.size(), binary, jsonLength, maxElements));
        }
        return inputs;
    }

    private static Tensor readInput(JsonParser parser, int position, BinaryExtension.Section binary, int jsonLength,
            long maxElements) throws IOException {
        String name = null;
        DataType type = null;
        long[] shape = null;
        Map<String, Object> parameters = Map.of();
        TokenBuffer earlyData = null;
        Tensor tensor = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            String label = name != null ? "input '" + name + "'" : "input " + position;
            switch (field) {
                case "name" -> {
                    expect(value, JsonToken.VALUE_STRING, label + ": 'name' must be a string");
                    name = parser.getText();
                }
                case "datatype" -> {
                    expect(value, JsonToken.VALUE_STRING, label + ": 'datatype' must be a string");
                    type = DataType.fromName(parser.getText());
                    if (type == null) {
                        throw InferenceException.invalid(label + ": unknown datatype '" + parser.getText()
                                + "'; the v2 datatypes are " + Arrays.toString(DataType.values()));
                    }
                }
                case "shape" -> shape = readShape(parser, label);
                case "parameters" -> parameters = readParameters(parser, label);
                case "data" -> {
                    if (parameters.containsKey(BinaryExtension.BINARY_DATA_SIZE)) {
                        throw InferenceException.invalid(label + " has both 'data' and the binary_data_size parameter");
                    }
                    if (name != null && type != null && shape != null) {
                        tensor = JsonTensorReader.read(parser, name, type, shape,
                                checkedJsonCount(name, shape, jsonLength, maxElements));
                    } else {
                        // Clients usually send name, shape and datatype first; keep data until they arrive.
                        earlyData = new TokenBuffer(parser);
                        earlyData.copyCurrentStructure(parser);
                    }
                }
                default -> parser.skipChildren();
            }
        }
        String label = name != null ? "input '" + name + "'" : "input " + position;
        if (name == null) {
            throw InferenceException.invalid(label + " has no 'name'");
        }
        if (type == null) {
            throw InferenceException.invalid(label + " has no 'datatype'");
        }
        if (shape == null) {
            throw InferenceException.invalid(label + " has no 'shape'");
        }
        Object binarySize = parameters.get(BinaryExtension.BINARY_DATA_SIZE);
        if (binarySize != null) {
            if (tensor != null || earlyData != null) {
                throw InferenceException.invalid(label + " has both 'data' and the binary_data_size parameter");
            }
            return BinaryExtension.input(name, type, shape, binarySize, binary, maxElements);
        }
        if (tensor != null) {
            return tensor;
        }
        if (earlyData == null) {
            throw InferenceException.invalid(label + " has no 'data' and no binary_data_size parameter");
        }
        try (JsonParser data = earlyData.asParser()) {
            data.nextToken();
            return JsonTensorReader.read(data, name, type, shape, checkedJsonCount(name, shape, jsonLength, maxElements));
        }
    }

    /**
     * As {@link Shapes#checkedElementCount}, and no more elements than JSON text of this length can carry (a digit and
     * a comma each).
     */
    private static long checkedJsonCount(String name, long[] shape, int jsonLength, long maxElements) {
        long count = Shapes.checkedElementCount(name, shape, maxElements);
        if (count > jsonLength / 2 + 1) {
            throw InferenceException.invalid("input '" + name + "': shape " + Shapes.toString(shape) + " holds "
                    + count + " elements, more than a request body of " + jsonLength + " bytes can carry");
        }
        return count;
    }

    private static void checkBooleanParameter(Map<String, Object> parameters, String key, String owner) {
        Object value = parameters.get(key);
        if (value != null && !(value instanceof Boolean)) {
            throw InferenceException.invalid(owner + ": parameter '" + key + "' must be a boolean");
        }
    }

    private static long[] readShape(JsonParser parser, String label) throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, label + ": 'shape' must be an array of integers");
        long[] dims = new long[8];
        int rank = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT
                    || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw InferenceException.invalid(label + ": 'shape' element " + rank + " (" + parser.getText()
                        + ") is not a 64-bit integer");
            }
            long dim = parser.getLongValue();
            if (dim < 0) {
                throw InferenceException.invalid(label + ": 'shape' element " + rank + " is negative (" + dim + ")");
            }
            RequestLimits.check(label + ": 'shape'", "dimensions", rank + 1, RequestLimits.MAX_RANK);
            if (rank == dims.length) {
                dims = Arrays.copyOf(dims, rank * 2);
            }
            dims[rank++] = dim;
        }
        return Arrays.copyOf(dims, rank);
    }

    private static Map<String, Object> readParameters(JsonParser parser, String owner) throws IOException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, owner + ": 'parameters' must be an object");
        Map<String, Object> parameters = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            RequestLimits.check(owner + ": 'parameters'", "entries", parameters.size() + 1,
                    RequestLimits.MAX_PARAMETERS);
            parameters.put(key, switch (parser.nextToken()) {
                case VALUE_STRING -> parser.getText();
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NUMBER_INT -> parser.getNumberValue();
                case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
                default -> throw InferenceException.invalid(owner + ": parameter '" + key
                        + "' must be a string, number or boolean");
            });
        }
        return parameters;
    }

    private static List<RequestedOutput> readOutputs(JsonParser parser) throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, "'outputs' must be an array");
        List<RequestedOutput> outputs = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            String label = "output " + outputs.size();
            expect(parser.currentToken(), JsonToken.START_OBJECT, "each element of 'outputs' must be an object");
            RequestLimits.check("the request", "outputs", outputs.size() + 1, RequestLimits.MAX_TENSORS);
            String name = null;
            Map<String, Object> parameters = Map.of();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "name" -> {
                        expect(value, JsonToken.VALUE_STRING, label + ": 'name' must be a string");
                        name = parser.getText();
                    }
                    case "parameters" -> parameters = readParameters(parser, label);
                    default -> parser.skipChildren();
                }
            }
            if (name == null) {
                throw InferenceException.invalid(label + " has no 'name'");
            }
            outputs.add(new RequestedOutput(name, parameters));
        }
        return outputs;
    }

    private static void expect(JsonToken actual, JsonToken expected, String message) {
        if (actual != expected) {
            throw InferenceException.invalid(message);
        }
    }

}
