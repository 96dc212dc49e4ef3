package dev.zeroserve.api.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.util.TokenBuffer;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceRequest.RequestedOutput;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;

/**
 * The v2 JSON form of inference requests and responses, streamed with Jackson's parser and generator so that tensor
 * data goes between JSON text and tensor buffers without intermediate objects.
 */
final class JsonInferenceCodec {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Tensor data is mostly numbers: the Schubfach writer and fast parser are several times faster than the JDK's.
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private JsonInferenceCodec() {
    }

    /**
     * @param maxElements the largest element count one input may declare
     * @throws InferenceException INVALID_ARGUMENT naming what is malformed
     */
    static InferenceRequest decodeRequest(byte[] body, String modelName, String modelVersion, long maxElements) {
        if (body.length == 0) {
            throw InferenceException.invalid("the request body is empty; it must be a v2 inference request in JSON");
        }
        try (JsonParser parser = JSON.createParser(body)) {
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
                    case "inputs" -> inputs = readInputs(parser, body.length, maxElements);
                    case "outputs" -> outputs = readOutputs(parser);
                    default -> parser.skipChildren();
                }
            }
            if (inputs == null) {
                throw InferenceException.invalid("the request has no 'inputs'");
            }
            return new InferenceRequest(modelName, modelVersion, id, parameters, inputs, outputs);
        } catch (JsonProcessingException e) {
            throw InferenceException.invalid("malformed JSON request: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw InferenceException.invalid("unreadable request body: " + e.getMessage());
        }
    }

    private static List<Tensor> readInputs(JsonParser parser, int bodyLength, long maxElements) throws IOException {
        expect(parser.currentToken(), JsonToken.START_ARRAY, "'inputs' must be an array");
        List<Tensor> inputs = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            expect(parser.currentToken(), JsonToken.START_OBJECT, "each element of 'inputs' must be an object");
            inputs.add(readInput(parser, inputs.size(), bodyLength, maxElements));
        }
        return inputs;
    }

    private static Tensor readInput(JsonParser parser, int position, int bodyLength, long maxElements)
            throws IOException {
        String name = null;
        DataType type = null;
        long[] shape = null;
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
                case "parameters" -> readParameters(parser, label);
                case "data" -> {
                    if (name != null && type != null && shape != null) {
                        tensor = JsonTensorReader.read(parser, name, type, shape,
                                checkedCount(name, shape, bodyLength, maxElements));
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
        if (tensor != null) {
            return tensor;
        }
        if (earlyData == null) {
            throw InferenceException.invalid(label + " has no 'data'");
        }
        try (JsonParser data = earlyData.asParser()) {
            data.nextToken();
            return JsonTensorReader.read(data, name, type, shape, checkedCount(name, shape, bodyLength, maxElements));
        }
    }

    /**
     * The element count of a shape, refused before any buffer is allocated if it exceeds the configured limit or
     * more elements than a JSON body of this length can carry (each takes at least a digit and a comma).
     */
    private static long checkedCount(String name, long[] shape, int bodyLength, long maxElements) {
        long count = Shapes.elementCount(name, shape);
        if (count > maxElements) {
            throw InferenceException.invalid("input '" + name + "': shape " + Shapes.toString(shape) + " holds " + count
                    + " elements, more than the limit of " + maxElements + " (zeroserve.limits.max-elements)");
        }
        if (count > bodyLength / 2 + 1) {
            throw InferenceException.invalid("input '" + name + "': shape " + Shapes.toString(shape) + " holds "
                    + count + " elements, more than a request body of " + bodyLength + " bytes can carry");
        }
        return count;
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

    static byte[] encodeResponse(InferenceResponse response) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(estimateSize(response));
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("model_name", response.modelName());
            json.writeStringField("model_version", response.modelVersion());
            if (response.id() != null && !response.id().isEmpty()) {
                json.writeStringField("id", response.id());
            }
            json.writeArrayFieldStart("outputs");
            for (Tensor output : response.outputs()) {
                json.writeStartObject();
                json.writeStringField("name", output.name());
                json.writeStringField("datatype", output.dataType().name());
                json.writeFieldName("shape");
                json.writeArray(output.shape(), 0, output.shape().length);
                json.writeFieldName("data");
                writeData(json, output);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        return out.toByteArray();
    }

    private static int estimateSize(InferenceResponse response) {
        long size = 256;
        for (Tensor output : response.outputs()) {
            size += 128 + output.elementCount() * 12;
        }
        return (int) Math.min(size, 64 << 20);
    }

    private static void writeData(JsonGenerator json, Tensor tensor) throws IOException {
        ByteBuffer data = tensor.data();
        int count = (int) tensor.elementCount();
        json.writeStartArray();
        switch (tensor.dataType()) {
            case BOOL -> {
                for (int i = 0; i < count; i++) {
                    json.writeBoolean(data.get(i) != 0);
                }
            }
            case INT8 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(data.get(i));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(Byte.toUnsignedInt(data.get(i)));
                }
            }
            case INT16 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(data.getShort(i * 2));
                }
            }
            case UINT16 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(Short.toUnsignedInt(data.getShort(i * 2)));
                }
            }
            case INT32 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(data.getInt(i * 4));
                }
            }
            case UINT32 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(Integer.toUnsignedLong(data.getInt(i * 4)));
                }
            }
            case INT64 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(data.getLong(i * 8));
                }
            }
            case UINT64 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(Long.toUnsignedString(data.getLong(i * 8)));
                }
            }
            case FP16 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(Fp16Conversions.fp16ToFloat(data.getShort(i * 2)));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(Fp16Conversions.bf16ToFloat(data.getShort(i * 2)));
                }
            }
            case FP32 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(data.getFloat(i * 4));
                }
            }
            case FP64 -> {
                for (int i = 0; i < count; i++) {
                    json.writeNumber(data.getDouble(i * 8));
                }
            }
            case BYTES -> {
                for (byte[] element : tensor.bytesElements()) {
                    json.writeString(new String(element, StandardCharsets.UTF_8));
                }
            }
        }
        json.writeEndArray();
    }
}
