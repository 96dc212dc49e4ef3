package dev.zeroserve.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.H2cClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.DecoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;

/** Triton's binary tensor data extension over REST, against the bundled model. */
@QuarkusTest
class BinaryTensorRestTest {
    private static final String INFER = "/v2/models/all-minilm-l6-v2/infer";
    private static final long[] TOKENS = DirectOnnxRuntime.TOKENS_16;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What the client's decoder must not undo, so the test sees the bytes as sent. */
    private static final RestAssuredConfig RAW = RestAssuredConfig.config()
            .decoderConfig(DecoderConfig.decoderConfig().noContentDecoders());

    @TestHTTPResource("/")
    URL base;

    @Inject
    Vertx vertx;

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    private static byte[] int64s(long value, int count) {
        ByteBuffer buffer = ByteBuffer.allocate(count * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    private static byte[] tokens() {
        ByteBuffer buffer = ByteBuffer.allocate(TOKENS.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long token : TOKENS) {
            buffer.putLong(token);
        }
        return buffer.array();
    }

    private static String header(long idsSize, String extra) {
        return "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1,16],"
                + "\"parameters\":{\"binary_data_size\":" + idsSize + "}},"
                + "{\"name\":\"attention_mask\",\"datatype\":\"INT64\",\"shape\":[1,16],"
                + "\"parameters\":{\"binary_data_size\":128}},"
                + "{\"name\":\"token_type_ids\",\"datatype\":\"INT64\",\"shape\":[1,16],"
                + "\"parameters\":{\"binary_data_size\":128}}]" + extra + "}";
    }

    private static byte[] body(String header, byte[]... blobs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        for (byte[] blob : blobs) {
            out.writeBytes(blob);
        }
        return out.toByteArray();
    }

    private static byte[] validBody(String extra) {
        return body(header(128, extra), tokens(), int64s(1, 16), int64s(0, 16));
    }

    private static int headerLength(String extra) {
        return header(128, extra).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void binaryInputsWithJsonOrBinaryOutputs() throws Exception {
        String extra = "";
        var json = given().header("Inference-Header-Content-Length", headerLength(extra)).body(validBody(extra))
                .post(INFER).then().statusCode(200).contentType("application/json").extract();
        assertThat(json.header("Inference-Header-Content-Length")).isNull();
        JsonNode data = MAPPER.readTree(json.asByteArray()).get("outputs").get(0).get("data");
        assertThat(data.size()).isEqualTo(16 * 384);

        String binaryOut = ",\"parameters\":{\"binary_data_output\":true}";
        var binary = given().header("Inference-Header-Content-Length", headerLength(binaryOut))
                .body(validBody(binaryOut)).post(INFER).then().statusCode(200)
                .contentType("application/octet-stream").extract();
        int jsonLength = Integer.parseInt(binary.header("Inference-Header-Content-Length"));
        byte[] response = binary.asByteArray();
        JsonNode output = MAPPER.readTree(Arrays.copyOf(response, jsonLength)).get("outputs").get(0);
        assertThat(output.get("parameters").get("binary_data_size").asInt()).isEqualTo(16 * 384 * 4);
        assertThat(output.has("data")).isFalse();
        ByteBuffer floats = ByteBuffer.wrap(response, jsonLength, response.length - jsonLength).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.size(); i++) {
            assertThat(floats.getFloat(i * 4)).isEqualTo(data.get(i).floatValue());
        }
    }

    @Test
    void theHeaderDecidesNotTheContentType() {
        String extra = "";
        given().header("Inference-Header-Content-Length", headerLength(extra)).contentType("application/json")
                .body(validBody(extra)).post(INFER).then().statusCode(200);
        given().header("Inference-Header-Content-Length", headerLength(extra)).contentType("text/plain")
                .body(validBody(extra)).post(INFER).then().statusCode(200);
    }

    @Test
    void malformedFramingIsA400ThatSaysWhatDidNotAddUp() {
        String extra = "";
        byte[] valid = validBody(extra);
        assertBad(valid, Integer.toString(valid.length + 1), "Inference-Header-Content-Length " + (valid.length + 1)
                + " is outside the " + valid.length + "-byte body");
        assertBad(valid, "-3", "outside");
        assertBad(valid, "lots", "'lots' is not a byte count");
        assertBad(body(header(128, extra), tokens(), int64s(1, 16), int64s(0, 16), new byte[8]),
                Integer.toString(headerLength(extra)), "add up to 384 bytes, but 392 bytes follow the JSON header");
        assertBad(body(header(128, extra), tokens(), int64s(1, 16), int64s(0, 15)),
                Integer.toString(headerLength(extra)), "input 'token_type_ids': binary_data_size 128 runs past the end");
        assertBad(body(header(120, extra), Arrays.copyOf(tokens(), 120), int64s(1, 16), int64s(0, 16)),
                Integer.toString(header(120, extra).length()),
                "input 'input_ids': binary_data_size is 120 bytes, but INT64 shape [1,16] needs 128");
        String withData = header(128, extra).replace("\"parameters\":{\"binary_data_size\":128}},{\"name\":\"attention",
                "\"parameters\":{\"binary_data_size\":128},\"data\":[1]},{\"name\":\"attention");
        assertBad(body(withData, tokens(), int64s(1, 16), int64s(0, 16)), Integer.toString(withData.length()),
                "input 'input_ids' has both 'data' and the binary_data_size parameter");
        String badFlag = ",\"parameters\":{\"binary_data_output\":\"yes\"}";
        assertBad(body(header(128, badFlag), tokens(), int64s(1, 16), int64s(0, 16)),
                Integer.toString(headerLength(badFlag)), "'binary_data_output' must be a boolean");
        assertBad(tokens(), "0", "raw binary request", "single-input model");
    }

    private static void assertBad(byte[] body, String headerLength, String... fragments) {
        String error = given().header("Inference-Header-Content-Length", headerLength).body(body).post(INFER).then()
                .statusCode(400).extract().path("error");
        assertThat(error).contains(fragments);
    }

    @Test
    void compressedRequestsAndResponses() throws Exception {
        String extra = ",\"parameters\":{\"binary_data_output\":true}";
        byte[] plain = validBody(extra);
        byte[] expected = given().header("Inference-Header-Content-Length", headerLength(extra)).body(plain)
                .post(INFER).then().statusCode(200).extract().asByteArray();

        ByteArrayOutputStream gzip = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gzip)) {
            out.write(plain);
        }
        assertThat(given().header("Inference-Header-Content-Length", headerLength(extra))
                .header("Content-Encoding", "gzip").body(gzip.toByteArray()).post(INFER).then().statusCode(200)
                .extract().asByteArray()).isEqualTo(expected);

        ByteArrayOutputStream deflate = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(deflate)) {
            out.write(plain);
        }
        assertThat(given().header("Inference-Header-Content-Length", headerLength(extra))
                .header("Content-Encoding", "deflate").body(deflate.toByteArray()).post(INFER).then().statusCode(200)
                .extract().asByteArray()).isEqualTo(expected);

        var compressed = given().config(RAW).header("Inference-Header-Content-Length", headerLength(extra))
                .header("Accept-Encoding", "gzip").body(plain).post(INFER).then().statusCode(200)
                .header("Content-Encoding", "gzip").extract();
        assertThat(Integer.parseInt(compressed.header("Inference-Header-Content-Length")))
                .as("the header counts the uncompressed JSON").isLessThan(expected.length);
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(compressed.asByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
    }

    @Test
    void binaryRequestsOverH2c() throws Exception {
        String extra = ",\"parameters\":{\"binary_data_output\":true}";
        try (H2cClient client = new H2cClient(vertx, base)) {
            H2cClient.Reply reply = client.send(HttpMethod.POST, INFER,
                    Map.of("Inference-Header-Content-Length", Integer.toString(headerLength(extra))), validBody(extra));
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.headers().get("Inference-Header-Content-Length")).isNotNull();
        }
    }
}
