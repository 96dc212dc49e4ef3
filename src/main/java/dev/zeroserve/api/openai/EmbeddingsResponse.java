package dev.zeroserve.api.openai;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.zeroserve.api.JsonBody;
import dev.zeroserve.inference.Embeddings;
import io.vertx.core.buffer.Buffer;

/**
 * The body of an embeddings answer, OpenAI's {@code list} of {@code embedding} objects, written as v2 answers are:
 * Jackson's generator writes the structure and the floats go straight into the body's bytes ({@link JsonBody}).
 */
final class EmbeddingsResponse {
    /** Base64 text per float: four bytes make 16/3 characters. */
    private static final int BASE64_PER_FLOAT = 6;
    /** The fields around one embedding's values. */
    private static final int PER_EMBEDDING = 64;

    private EmbeddingsResponse() {
    }

    /**
     * @param json the factory whose features the answer follows (NaN as a string, as Jackson writes it by default)
     * @param base64 each embedding as the base64 text of its little-endian float32 bytes, as OpenAI's SDKs decode them
     */
    static Buffer encode(JsonFactory json, String model, boolean base64, Embeddings result) {
        List<float[]> vectors = result.vectors();
        long expected = 256 + model.length();
        for (float[] vector : vectors) {
            expected += PER_EMBEDDING + (long) vector.length * (base64 ? BASE64_PER_FLOAT : JsonBody.TYPICAL_VALUE);
        }
        JsonBody out = JsonBody.sized(expected);
        try (JsonGenerator body = json.createGenerator(out, JsonEncoding.UTF8)) {
            body.writeStartObject();
            body.writeStringField("object", "list");
            body.writeArrayFieldStart("data");
            for (int i = 0; i < vectors.size(); i++) {
                float[] vector = vectors.get(i);
                body.writeStartObject();
                body.writeStringField("object", "embedding");
                body.writeNumberField("index", i);
                body.writeFieldName("embedding");
                if (base64) {
                    body.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, littleEndian(vector), 0,
                            vector.length * Float.BYTES);
                } else {
                    out.writeFloatArray(body, FloatBuffer.wrap(vector));
                }
                body.writeEndObject();
            }
            body.writeEndArray();
            body.writeStringField("model", model);
            body.writeObjectFieldStart("usage");
            body.writeNumberField("prompt_tokens", result.promptTokens());
            body.writeNumberField("total_tokens", result.promptTokens());
            body.writeEndObject();
            body.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        return out.toBuffer();
    }

    private static byte[] littleEndian(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return bytes.array();
    }
}
