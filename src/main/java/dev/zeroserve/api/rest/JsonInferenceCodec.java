package dev.zeroserve.api.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.ModelMetadata;
import io.vertx.core.buffer.Buffer;

/**
 * The v2 REST body: JSON, with Triton's binary tensor data extension. Streamed with Jackson's parser and generator so
 * that tensor data goes between JSON text and tensor buffers without intermediate objects. Reading is
 * {@link JsonRequestReader}'s (and {@link JsonTensorReader}'s for data), writing {@link JsonResponseWriter}'s, the
 * blobs after the JSON header {@link BinaryExtension}'s.
 */
final class JsonInferenceCodec {
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // Tensor data is mostly numbers: the Schubfach writer and fast parser are several times faster than the JDK's.
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private JsonInferenceCodec() {
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
        return JsonRequestReader.read(body, jsonLength, modelName, modelVersion, maxElements);
    }

    /** A raw binary request ({@code Inference-Header-Content-Length: 0}): see {@link BinaryExtension#rawRequest}. */
    static InferenceRequest decodeRawBinary(byte[] body, ModelMetadata metadata, String modelName, String modelVersion) {
        return BinaryExtension.rawRequest(body, metadata, modelName, modelVersion);
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
        return JsonResponseWriter.write(response, request);
    }
}
