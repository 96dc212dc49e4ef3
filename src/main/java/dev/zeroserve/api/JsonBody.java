package dev.zeroserve.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * A JSON response body in memory: Jackson's generator writes its structure, and float tensors are written straight
 * into its bytes, a value after a comma, with none of the generator's per-value work (which, with converting each
 * value's text from chars to bytes, cost a third of the float formatting).
 */
public final class JsonBody extends ByteArrayOutputStream {
    /** The array's opening bracket is written through the generator, which puts the separator before it. */
    private static final char[] ARRAY_START = { '[' };
    /** The largest array the JVM allocates. */
    private static final int MAX_SIZE = Integer.MAX_VALUE - 8;
    /** A typical value's text and comma ("-0.012345678,"), for sizing a body before and when it must grow. */
    public static final int TYPICAL_VALUE = 13;

    /** Values are copied out of their buffer this many at a time, into an array the loop reads. */
    private static final int RUN = 512;

    /** The largest buffer allocated up front: a larger body grows as it is written. */
    private static final int MAX_INITIAL_SIZE = 64 << 20;

    private JsonBody(int size) {
        super(size);
    }

    /** A body for about {@code expectedBytes}, found with {@link #TYPICAL_VALUE} per float. */
    public static JsonBody sized(long expectedBytes) {
        return new JsonBody((int) Math.max(64, Math.min(expectedBytes, MAX_INITIAL_SIZE)));
    }

    /** Float values copied out in runs: {@code into[0, length)} gets the values from index {@code from} on. */
    @FunctionalInterface
    public interface FloatRuns {
        void copy(int from, float[] into, int length);
    }

    /** Writes the floats of {@code values} from its position to its limit (see the other overload). */
    public void writeFloatArray(JsonGenerator json, FloatBuffer values) throws IOException {
        int start = values.position();
        writeFloatArray(json, values.remaining(), (from, into, length) -> values.get(start + from, into, 0, length));
    }

    /**
     * Writes {@code length} floats as the JSON array value that {@code json}, writing into this body, is due for. They
     * are copied out in runs: read one at a time through a byte buffer's view, with C1 only (as the images run), a
     * value cost a third of its text.
     */
    public void writeFloatArray(JsonGenerator json, int length, FloatRuns values) throws IOException {
        json.writeRawValue(ARRAY_START, 0, 1);
        json.flush(); // the generator's buffer into this body, so that the values follow the bracket
        boolean quoteNonFinite = json.isEnabled(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
        int perValue = FloatText.MAX_LENGTH + 3; // the text, two quotes around NaN or Infinity, the comma
        float[] run = new float[Math.min(RUN, length)];
        for (int from = 0; from < length; from += run.length) {
            int runLength = Math.min(run.length, length - from);
            values.copy(from, run, runLength);
            reserve((long) perValue * runLength, (long) (length - from) * TYPICAL_VALUE);
            byte[] bytes = buf;
            int at = count;
            for (int i = 0; i < runLength; i++) {
                if (from + i > 0) {
                    bytes[at++] = ',';
                }
                float value = run[i];
                if (quoteNonFinite && !Float.isFinite(value)) {
                    bytes[at++] = '"';
                    at += FloatText.write(value, bytes, at);
                    bytes[at++] = '"';
                } else {
                    at += FloatText.write(value, bytes, at);
                }
            }
            count = at;
        }
        reserve(1, 1);
        buf[count++] = ']';
    }

    /** Appends a tensor's bytes (Triton's binary data after the JSON header). */
    public void append(Tensor tensor) {
        int length = tensor.byteSize();
        reserve(length, length);
        tensor.data().get(0, buf, count, length);
        count += length;
    }

    /** The body, wrapped rather than copied, for the HTTP response. */
    public Buffer toBuffer() {
        return Buffer.buffer(Unpooled.wrappedBuffer(buf, 0, count));
    }

    /** Room for {@code needed} more bytes; when it must grow, room for {@code expected} (at least doubling). */
    public void reserve(long needed, long expected) {
        if (buf.length - count >= needed) {
            return;
        }
        long size = Math.max(Math.max(2L * buf.length, count + expected), count + needed);
        if (count + needed > MAX_SIZE) {
            throw new InferenceException(Status.INTERNAL, "the response needs more than " + MAX_SIZE
                    + " bytes, more than one HTTP response body can hold");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(size, MAX_SIZE));
    }
}
