package dev.zeroserve.api.rest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.zeroserve.api.JsonBody;
import dev.zeroserve.api.rest.JsonInferenceCodec.EncodedResponse;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.Tensor;

/**
 * Writes a v2 inference response with Jackson's streaming generator, tensor data straight from the tensors' buffers
 * into the body; the outputs the request asks for as binary go as blobs after the JSON header.
 */
final class JsonResponseWriter {
    private JsonResponseWriter() {
    }

    static EncodedResponse write(InferenceResponse response, InferenceRequest request) {
        boolean[] binary = BinaryExtension.binaryOutputs(response, request);
        boolean anyBinary = false;
        for (boolean b : binary) {
            anyBinary |= b;
        }
        JsonBody out = JsonBody.sized(estimateJsonSize(response, binary));
        try (JsonGenerator json = JsonInferenceCodec.JSON.createGenerator(out, JsonEncoding.UTF8)) {
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
                    json.writeNumberField(BinaryExtension.BINARY_DATA_SIZE, output.byteSize());
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

    /** The data array: how each kind of element is spelled in JSON; how it is read from the buffer is DataType's. */
    private static void writeData(JsonGenerator json, JsonBody body, Tensor tensor) throws IOException {
        ByteBuffer data = tensor.data();
        DataType type = tensor.dataType();
        int count = (int) tensor.elementCount();
        switch (type.kind()) {
            case FLOATING_POINT -> {
                if (type == DataType.FP32) {
                    body.writeFloatArray(json, data.duplicate().order(ByteOrder.LITTLE_ENDIAN).rewind()
                            .asFloatBuffer());
                } else if (type == DataType.FP64) {
                    json.writeStartArray();
                    for (int i = 0; i < count; i++) {
                        json.writeNumber(data.getDouble(i * 8));
                    }
                    json.writeEndArray();
                } else {
                    body.writeFloatArray(json, count, (from, into, length) -> {
                        for (int i = 0; i < length; i++) {
                            into[i] = type.getFloat(data, from + i);
                        }
                    });
                }
            }
            case INTEGER -> {
                json.writeStartArray();
                for (int i = 0; i < count; i++) {
                    long value = type.getLong(data, i);
                    // JSON numbers are not bounded, but Jackson's long is: UINT64's upper half is written as text.
                    if (type == DataType.UINT64 && value < 0) {
                        json.writeNumber(Long.toUnsignedString(value));
                    } else {
                        json.writeNumber(value);
                    }
                }
                json.writeEndArray();
            }
            case BOOLEAN -> {
                json.writeStartArray();
                for (int i = 0; i < count; i++) {
                    json.writeBoolean(data.get(i) != 0);
                }
                json.writeEndArray();
            }
            case BYTES -> {
                json.writeStartArray();
                for (byte[] element : tensor.bytesElements()) {
                    json.writeString(new String(element, StandardCharsets.UTF_8));
                }
                json.writeEndArray();
            }
        }
    }
}
