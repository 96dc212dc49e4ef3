package dev.zeroserve.api.rest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import dev.zeroserve.api.JsonBody;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceRequest.RequestedOutput;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.RequestLimits;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import io.vertx.core.buffer.Buffer;

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

    /** Parameter of Triton's binary tensor data extension: the size of a tensor's blob after the JSON header. */
    static final String BINARY_DATA_SIZE = "binary_data_size";
    /** Requested-output parameter of the binary extension: return this output as a blob. */
    static final String BINARY_DATA = "binary_data";
    /** Request parameter of the binary extension: the default of {@link #BINARY_DATA} for every output. */
    static final String BINARY_DATA_OUTPUT = "binary_data_output";

    /** The binary tensor data that follows the JSON header, consumed in the order the inputs name it. */
    private static final class BinarySection {
        private final byte[] body;
        private final int end;
        private int next;

        BinarySection(byte[] body, int start) {
            this.body = body;
            this.next = start;
            this.end = body.length;
        }

        ByteBuffer take(String name, long size) {
            if (size > end - next) {
                throw InferenceException.invalid("input '" + name + "': binary_data_size " + size
                        + " runs past the end of the body (" + (end - next) + " bytes of binary data remain)");
            }
            ByteBuffer blob = ByteBuffer.wrap(body, next, (int) size);
            next += (int) size;
            return blob;
        }

        void checkFullyUsed(int jsonLength) {
            if (next != end) {
                throw InferenceException.invalid("the inputs' binary_data_size parameters add up to "
                        + (next - jsonLength) + " bytes, but " + (end - jsonLength)
                        + " bytes follow the JSON header (Inference-Header-Content-Length " + jsonLength + ")");
            }
        }
    }

    /**
     * Decodes a JSON request, or the JSON header of a binary-extension request followed by its tensor blobs.
     *
     * @param jsonLength the bytes of {@code body} that are JSON; the rest are the blobs of binary inputs
     * @param maxElements the largest element count one input may declare
     * @throws InferenceException INVALID_ARGUMENT naming what is malformed
     */
    static InferenceRequest decodeRequest(byte[] body, int jsonLength, String modelName, String modelVersion,
            long maxElements) {
        if (jsonLength == 0) {
            throw InferenceException.invalid("the request body is empty; it must be a v2 inference request in JSON");
        }
        BinarySection binary = new BinarySection(body, jsonLength);
        try (JsonParser parser = JSON.createParser(body, 0, jsonLength)) {
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
            checkBooleanParameter(parameters, BINARY_DATA_OUTPUT, "request");
            for (RequestedOutput output : outputs) {
                checkBooleanParameter(output.parameters(), BINARY_DATA, "output '" + output.name() + "'");
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

    private static List<Tensor> readInputs(JsonParser parser, BinarySection binary, int jsonLength, long maxElements)
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

    private static Tensor readInput(JsonParser parser, int position, BinarySection binary, int jsonLength,
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
                    if (parameters.containsKey(BINARY_DATA_SIZE)) {
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
        Object binarySize = parameters.get(BINARY_DATA_SIZE);
        if (binarySize != null) {
            if (tensor != null || earlyData != null) {
                throw InferenceException.invalid(label + " has both 'data' and the binary_data_size parameter");
            }
            return binaryInput(name, type, shape, binarySize, binary, maxElements);
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

    private static Tensor binaryInput(String name, DataType type, long[] shape, Object binarySize,
            BinarySection binary, long maxElements) {
        if (!(binarySize instanceof Number size) || binarySize instanceof Double || size.longValue() < 0) {
            throw InferenceException.invalid("input '" + name + "': binary_data_size must be a non-negative integer");
        }
        long count = Shapes.checkedElementCount(name, shape, maxElements);
        if (type.isFixedSize() && size.longValue() != count * type.byteSize()) {
            throw InferenceException.invalid("input '" + name + "': binary_data_size is " + size + " bytes, but "
                    + type + " shape " + Shapes.toString(shape) + " needs " + count * type.byteSize());
        }
        return Tensor.of(name, type, shape, binary.take(name, size.longValue()));
    }

    /**
     * A raw binary request ({@code Inference-Header-Content-Length: 0}): the whole body is the one input of a
     * single-input model, as a batch of one, and every output comes back binary. The shape is the model's, with its
     * one dynamic dimension (if any) sized to fit the body; a BYTES input is one element.
     */
    static InferenceRequest decodeRawBinary(byte[] body, ModelMetadata metadata, String modelName, String modelVersion) {
        if (metadata.inputs().size() != 1) {
            throw InferenceException.invalid("a raw binary request (Inference-Header-Content-Length: 0) needs a "
                    + "single-input model; model '" + metadata.name() + "' has " + metadata.inputs().size() + " inputs");
        }
        TensorSpec spec = metadata.inputs().get(0);
        long[] shape = spec.dataType() == DataType.BYTES ? new long[] { 1 } : rawShape(spec, body.length);
        ByteBuffer data = spec.dataType() == DataType.BYTES
                ? Tensor.encodeBytes(new byte[][] { body })
                : ByteBuffer.wrap(body);
        return new InferenceRequest(modelName, modelVersion, null, Map.of(BINARY_DATA_OUTPUT, Boolean.TRUE),
                List.of(Tensor.of(spec.name(), spec.dataType(), shape, data)), List.of(), InferenceRequest.NO_DEADLINE);
    }

    private static long[] rawShape(TensorSpec spec, int bodyLength) {
        long[] shape = spec.shape().clone();
        long fixedBytes = spec.dataType().byteSize();
        int dynamic = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != TensorSpec.DYNAMIC) {
                fixedBytes *= shape[i];
            } else if (dynamic >= 0) {
                throw InferenceException.invalid("input '" + spec.name() + "': shape " + Shapes.toString(spec.shape())
                        + " has more than one dynamic dimension, so a raw binary request cannot say its shape");
            } else {
                dynamic = i;
            }
        }
        if (dynamic >= 0 && fixedBytes > 0 && bodyLength % fixedBytes == 0) {
            shape[dynamic] = bodyLength / fixedBytes;
        }
        if (dynamic >= 0 ? shape[dynamic] == TensorSpec.DYNAMIC : fixedBytes != bodyLength) {
            throw InferenceException.invalid("input '" + spec.name() + "': a raw binary body of " + bodyLength
                    + " bytes does not fit " + spec.dataType() + " shape " + Shapes.toString(spec.shape()));
        }
        return shape;
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

    /**
     * An encoded response.
     *
     * @param jsonLength the length of the JSON header when binary blobs follow it, else -1
     */
    record EncodedResponse(Buffer body, int jsonLength) {
        boolean hasBinary() {
            return jsonLength >= 0;
        }
    }

    /** Encodes the response as JSON, with the outputs the request asks for as binary blobs after the JSON header. */
    static EncodedResponse encodeResponse(InferenceResponse response, InferenceRequest request) {
        boolean binaryByDefault = Boolean.TRUE.equals(request.parameters().get(BINARY_DATA_OUTPUT));
        boolean[] binary = new boolean[response.outputs().size()];
        boolean anyBinary = false;
        for (int i = 0; i < binary.length; i++) {
            binary[i] = binaryByDefault;
            String name = response.outputs().get(i).name();
            for (RequestedOutput requested : request.outputs()) {
                if (requested.name().equals(name) && requested.parameters().get(BINARY_DATA) instanceof Boolean b) {
                    binary[i] = b;
                }
            }
            anyBinary |= binary[i];
        }
        JsonBody out = JsonBody.sized(estimateJsonSize(response, binary));
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("model_name", response.modelName());
            json.writeStringField("model_version", response.modelVersion());
            if (response.id() != null && !response.id().isEmpty()) {
                json.writeStringField("id", response.id());
            }
            json.writeArrayFieldStart("outputs");
            for (int i = 0; i < binary.length; i++) {
                Tensor output = response.outputs().get(i);
                json.writeStartObject();
                json.writeStringField("name", output.name());
                json.writeStringField("datatype", output.dataType().name());
                json.writeFieldName("shape");
                json.writeArray(output.shape(), 0, output.shape().length);
                if (binary[i]) {
                    json.writeObjectFieldStart("parameters");
                    json.writeNumberField(BINARY_DATA_SIZE, output.byteSize());
                    json.writeEndObject();
                } else {
                    json.writeFieldName("data");
                    writeData(json, out, output);
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        if (!anyBinary) {
            return new EncodedResponse(out.toBuffer(), -1);
        }
        int jsonLength = out.size();
        long blobs = 0;
        for (int i = 0; i < binary.length; i++) {
            blobs += binary[i] ? response.outputs().get(i).byteSize() : 0;
        }
        // Blobs are copied once, straight into the body after the JSON header.
        out.reserve(blobs, blobs);
        for (int i = 0; i < binary.length; i++) {
            if (binary[i]) {
                out.append(response.outputs().get(i));
            }
        }
        return new EncodedResponse(out.toBuffer(), jsonLength);
    }

    private static long estimateJsonSize(InferenceResponse response, boolean[] binary) {
        long size = 256;
        for (int i = 0; i < binary.length; i++) {
            size += 128 + (binary[i] ? 0 : response.outputs().get(i).elementCount() * JsonBody.TYPICAL_VALUE);
        }
        return size;
    }

    private static void writeData(JsonGenerator json, JsonBody body, Tensor tensor) throws IOException {
        ByteBuffer data = tensor.data();
        int count = (int) tensor.elementCount();
        switch (tensor.dataType()) {
            case FP16, BF16 -> {
                boolean brain = tensor.dataType() == DataType.BF16;
                body.writeFloatArray(json, count, (from, into, length) -> {
                    for (int i = 0; i < length; i++) {
                        short half = data.getShort((from + i) * 2);
                        into[i] = brain ? Fp16Conversions.bf16ToFloat(half) : Fp16Conversions.fp16ToFloat(half);
                    }
                });
            }
            case FP32 -> body.writeFloatArray(json, data.duplicate().order(ByteOrder.LITTLE_ENDIAN).rewind()
                    .asFloatBuffer());
            default -> writeOtherData(json, tensor, data, count);
        }
    }

    private static void writeOtherData(JsonGenerator json, Tensor tensor, ByteBuffer data, int count)
            throws IOException {
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
            default -> throw new IllegalStateException(tensor.dataType() + " is written as floats");
        }
        json.writeEndArray();
    }
}
