package dev.zeroserve.api.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import dev.zeroserve.api.FloatText;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * A JSON response body in memory: Jackson's generator writes its structure, and float tensors are written straight
 * into its bytes, a value after a comma, with none of the generator's per-value work (which, with converting each
 * value's text from chars to bytes, cost a third of the float formatting).
 */
final class JsonBody extends ByteArrayOutputStream {
    /** The array's opening bracket is written through the generator, which puts the separator before it. */
    private static final char[] ARRAY_START = { '[' };

    /** Values of a float tensor by element index. */
    @FunctionalInterface
    interface Floats {
        float get(int index);
    }

    JsonBody(int size) {
        super(size);
    }

    /** Writes {@code length} floats as the JSON array value that {@code json}, writing into this body, is due for. */
    void writeFloatArray(JsonGenerator json, int length, Floats values) throws IOException {
        json.writeRawValue(ARRAY_START, 0, 1);
        json.flush(); // the generator's buffer into this body, so that the values follow the bracket
        boolean quoteNonFinite = json.isEnabled(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
        int perValue = FloatText.MAX_LENGTH + 3; // the text, two quotes around NaN or Infinity, the comma
        int at = count;
        for (int i = 0; i < length; i++) {
            if (buf.length - at < perValue + 1) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, at + (length - i) * 12 + perValue + 1));
            }
            if (i > 0) {
                buf[at++] = ',';
            }
            float value = values.get(i);
            boolean quoted = quoteNonFinite && !Float.isFinite(value);
            if (quoted) {
                buf[at++] = '"';
            }
            at += FloatText.write(value, buf, at);
            if (quoted) {
                buf[at++] = '"';
            }
        }
        buf[at++] = ']';
        count = at;
    }

    /** Room for {@code more} bytes after the body, so that what follows is copied into it once. */
    void reserve(int more) {
        if (buf.length - count < more) {
            buf = Arrays.copyOf(buf, count + more);
        }
    }

    /** Appends a tensor's bytes (Triton's binary data after the JSON header). */
    void append(ByteBuffer data) {
        int length = data.remaining();
        reserve(length);
        data.get(data.position(), buf, count, length);
        count += length;
    }

    /** The body, wrapped rather than copied, for the HTTP response. */
    Buffer toBuffer() {
        return Buffer.buffer(Unpooled.wrappedBuffer(buf, 0, count));
    }
}
