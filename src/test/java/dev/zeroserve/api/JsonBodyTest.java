package dev.zeroserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class JsonBodyTest {
    /** Numbers read as their exact decimals, so that each is rounded to a float once. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static String write(FloatBuffer values) throws Exception {
        JsonBody body = JsonBody.sized(16);
        try (JsonGenerator json = new JsonFactory().createGenerator(body, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeFieldName("data");
            body.writeFloatArray(json, values);
            json.writeNumberField("after", 1);
            json.writeEndObject();
        }
        return body.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void floatsAcrossManyRunsReadBackExactlyFromAByteBuffersView() throws Exception {
        // More values than one run copies out, with non-finite ones on either side of a run's end.
        int count = 1_300;
        ByteBuffer bytes = ByteBuffer.allocate(count * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(11);
        float[] expected = new float[count];
        for (int i = 0; i < count; i++) {
            expected[i] = (float) (random.nextGaussian() * 0.3);
        }
        expected[511] = Float.NaN;
        expected[512] = Float.NEGATIVE_INFINITY;
        expected[count - 1] = Float.POSITIVE_INFINITY;
        bytes.asFloatBuffer().put(expected);

        String text = write(bytes.asFloatBuffer());
        // The body grew from its smallest size while being written: what was written before the growth stays.
        assertThat(text).startsWith("{\"data\":[").endsWith("],\"after\":1}");
        JsonNode data = MAPPER.readTree(text).get("data");
        assertThat(data).hasSize(count);
        for (int i = 0; i < count; i++) {
            JsonNode value = data.get(i);
            assertThat(Float.floatToIntBits(Float.parseFloat(value.asText()))).as("value %d: %s", i, value)
                    .isEqualTo(Float.floatToIntBits(expected[i]));
        }
        assertThat(data.get(511).asText()).isEqualTo("NaN");
        assertThat(data.get(512).asText()).isEqualTo("-Infinity");
    }

    @Test
    void aBufferIsWrittenFromItsPositionToItsLimit() throws Exception {
        FloatBuffer values = FloatBuffer.wrap(new float[] { 9f, 2.5f, -3f, 9f });
        values.position(1).limit(3);
        assertThat(write(values)).isEqualTo("{\"data\":[2.5,-3.0],\"after\":1}");
    }

    @Test
    void anEmptyArrayAndAWrappedArray() throws Exception {
        assertThat(write(FloatBuffer.allocate(0))).isEqualTo("{\"data\":[],\"after\":1}");
        assertThat(write(FloatBuffer.wrap(new float[] { 1f, -0.5f, 1e-8f })))
                .isEqualTo("{\"data\":[1.0,-0.5,1.0E-8],\"after\":1}");
    }
}
