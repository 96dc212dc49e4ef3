package dev.zeroserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.inference.BoundedMessage;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcChannels;
import dev.zeroserve.testing.H2cClient;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.vertx.core.Vertx;

/**
 * Requests no client should send, over every protocol: each is answered with the status and message a client can act
 * on, none is logged as the server's fault, and a valid request right after still gets its answer.
 */
@QuarkusTest
class HostileInputTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String INFER = "/v2/models/" + BundledModelRequests.MODEL + "/infer";
    private static final long[][] VALID = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16));
    private static final String LONG_NAME = "n".repeat(10_000);
    private static final long HUGE_DIM = 1L << 62;

    /** WARN and above from the server while the cases run: client mistakes are logged at DEBUG. */
    private static final List<LogRecord> WARNINGS = Collections.synchronizedList(new ArrayList<>());
    private static final Handler WARNING_COLLECTOR = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                WARNINGS.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static ManagedChannel channel;
    private static String validJsonAnswer;
    private static ByteString validGrpcAnswer;
    private static JsonNode validEmbedding;

    @TestHTTPResource("/")
    URL base;

    @Inject
    Vertx vertx;

    enum Protocol {
        REST, BINARY, GRPC, EMBEDDINGS
    }

    /** What the server answered: an HTTP status or gRPC code, and the message. */
    record Answer(String status, String message) {
    }

    record Case(String name, Protocol protocol, Function<HostileInputTest, Answer> send, String status,
            String messagePart) {
        @Override
        public String toString() {
            return protocol + ": " + name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                rest("JSON nested 1,001 deep", "{\"extra\":" + "[".repeat(1001) + "]".repeat(1001) + "}",
                        "400", "nesting depth"),
                rest("a number of 1,001 digits", tokensJson("[1,1]", "[" + "1".repeat(1001) + "]"), "400",
                        "Number value length"),
                rest("a field name of 50,001 characters", "{\"" + "a".repeat(50_001) + "\":1}", "400",
                        "Name length"),
                rest("513 tokens, more than the position embeddings", BundledModelRequests.json(
                        BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(513))), "400",
                        "ONNX Runtime could not run"),
                rest("shape [0, 2^62]", tokensJson("[0," + HUGE_DIM + "]", "[]"), "400",
                        "more than the limit"),
                rest("a shape of 10,000 dimensions", tokensJson(ones(10_000), "[1]"), "400", "more"),
                rest("an input name of 10,000 characters", BundledModelRequests.json(VALID)
                        .replace("\"input_ids\"", "\"" + LONG_NAME + "\""), "400", "unknown input"),
                rest("a token id past the vocabulary", BundledModelRequests.json(BundledModelRequests.valuesFor(
                        outOfVocabulary())), "400", "ONNX Runtime could not run"),
                new Case("Content-Encoding compress", Protocol.REST, test -> answer(given()
                        .contentType(ContentType.JSON).header("Content-Encoding", "compress")
                        .body(BundledModelRequests.json(VALID)).post(INFER)),
                        "415", "Content-Encoding 'compress' is not supported"),
                compressed("a corrupt gzip body", "gzip", CORRUPT_GZIP, "400", "not valid gzip"),
                compressed("a corrupt deflate body", "deflate", new byte[] { 0x78, (byte) 0x9c, 1, 2, 3, 4, 5 },
                        "400", "not valid deflate"),
                compressed("a gzip bomb: 65 MiB of zeros in 64 KiB", "gzip", gzip(new byte[65 << 20]), "413",
                        "inflates to more than 67108864 bytes"),
                new Case("a corrupt gzip body", Protocol.EMBEDDINGS, test -> {
                    Response response = given().contentType(ContentType.JSON).header("Content-Encoding", "gzip")
                            .body(CORRUPT_GZIP).post("/v1/embeddings");
                    return new Answer(Integer.toString(response.statusCode()),
                            String.valueOf(response.jsonPath().getString("error.message")));
                }, "400", "not valid gzip"),
                new Case("a model name of 3,000 characters", Protocol.REST, test -> answer(given()
                        .contentType(ContentType.JSON).body(BundledModelRequests.json(VALID))
                        .post("/v2/models/" + "n".repeat(3000) + "/infer")), "404", "unknown model"),
                new Case("a path longer than the request line may be", Protocol.REST, test -> answer(given()
                        .contentType(ContentType.JSON).body(BundledModelRequests.json(VALID))
                        .post("/v2/models/" + LONG_NAME + "/infer")), "414", ""),
                binary("513 tokens", 513, 0, "400", "ONNX Runtime could not run"),
                binary("binary_data_size past the end of the body", 16, -8, "400", "runs past the end"),
                grpc("513 tokens", BundledModelRequests.grpc(BundledModelRequests.valuesFor(
                        BundledModelRequests.tokenIds(513))), "INVALID_ARGUMENT", "ONNX Runtime could not run"),
                grpc("shape [0, 2^62]", withShape(0, HUGE_DIM), "INVALID_ARGUMENT", "more than the limit"),
                grpc("a shape of 10,000 dimensions", withShape(new long[10_000]), "INVALID_ARGUMENT", "more"),
                grpc("an input name of 10,000 characters", BundledModelRequests.grpc(VALID).toBuilder()
                        .setInputs(0, BundledModelRequests.grpc(VALID).getInputs(0).toBuilder().setName(LONG_NAME))
                        .build(), "INVALID_ARGUMENT", "unknown input"),
                grpc("a model name of 10,000 characters", BundledModelRequests.grpc(VALID).toBuilder()
                        .setModelName(LONG_NAME).build(), "NOT_FOUND", "unknown model"),
                grpc("a token id past the vocabulary", BundledModelRequests.grpc(BundledModelRequests.valuesFor(
                        outOfVocabulary())), "INVALID_ARGUMENT", "ONNX Runtime could not run"),
                // The message ends with zeros (token_type_ids): the 5 bytes past the short prefix form a second,
                // empty message, and the call was never answered.
                framed("a length prefix 5 bytes short of the message", Map.of(), H2cClient.frame(false,
                        validMessage().length - 5, validMessage()), "INVALID_ARGUMENT",
                        "the message is not a valid inference.ModelInferRequest: While parsing a protocol message"),
                framed("a length prefix 1 byte short of the message", Map.of(), H2cClient.frame(false,
                        validMessage().length - 1, validMessage()), "INVALID_ARGUMENT", "not a valid"),
                framed("a length prefix longer than the message", Map.of(), H2cClient.frame(false,
                        validMessage().length + 5, validMessage()), "INVALID_ARGUMENT",
                        "the request ended before a whole message"),
                framed("bytes that are no protobuf message", Map.of(), H2cClient.frame(false, 4,
                        new byte[] { -1, -1, -1, -1 }), "INVALID_ARGUMENT",
                        "the message is not a valid inference.ModelInferRequest"),
                framed("a compressed flag without grpc-encoding", Map.of(), frame(gzip(validMessage())),
                        "INVALID_ARGUMENT", "the message is not a valid inference.ModelInferRequest"),
                framed("gzip: a bomb, 65 MiB of zeros", Map.of("grpc-encoding", "gzip"),
                        frame(gzip(new byte[65 << 20])), "RESOURCE_EXHAUSTED",
                        "the gzip message inflates to more than 67108864 bytes"),
                framed("deflate: a corrupt stream", DEFLATE, frame(new byte[] { 0x78, (byte) 0x9c, 1, 2, 3, 4, 5 }),
                        "INVALID_ARGUMENT", "the message is not valid deflate"),
                framed("deflate: a bomb, 65 MiB of zeros", DEFLATE, frame(deflate(new byte[65 << 20])),
                        "RESOURCE_EXHAUSTED", "the deflate message inflates to more than 67108864 bytes"),
                framed("deflate: a length prefix longer than the message", DEFLATE, H2cClient.frame(true,
                        deflate(validMessage()).length + 9, deflate(validMessage())), "INVALID_ARGUMENT",
                        "the request ended before a whole message: its length prefix declares"),
                framed("deflate: two messages in a unary call", DEFLATE, twoFrames(deflate(validMessage())),
                        "INVALID_ARGUMENT", "bytes after its message; every method of this server takes one"),
                framed("grpc-encoding snappy", Map.of("grpc-encoding", "snappy"), frame(validMessage()),
                        "UNIMPLEMENTED", "grpc-encoding 'snappy' is not supported"),
                embeddings("JSON nested 1,001 deep", "{\"model\":\"all-minilm-l6-v2\",\"input\":" + "[".repeat(1001)
                        + "]".repeat(1001) + "}", "400", "input[0][0] is an array in an array of token ids"),
                embeddings("a text of 25,601 characters", texts("a ".repeat(12_800) + "b"), "400",
                        "characters, more than the 25600"),
                embeddings("a text of 16 MiB", texts("a".repeat(16 << 20)), "400", "characters, more than the 25600"),
                embeddings("a token id past the vocabulary", "{\"model\":\"all-minilm-l6-v2\",\"input\":[101,"
                        + "1000000,102]}", "400", "is not a token id"),
                embeddings("a model name of 10,000 characters", "{\"model\":\"" + LONG_NAME
                        + "\",\"input\":\"hello\"}", "404", "unknown model"));
    }

    @BeforeAll
    static void collectWarnings() {
        java.util.logging.Logger.getLogger("").addHandler(WARNING_COLLECTOR);
    }

    @AfterAll
    static void stopCollecting() throws InterruptedException {
        java.util.logging.Logger.getLogger("").removeHandler(WARNING_COLLECTOR);
        if (channel != null) {
            GrpcChannels.close(channel);
        }
    }

    @BeforeEach
    void answersBeforeTheCases() throws Exception {
        Await.modelReady();
        if (channel == null) {
            channel = GrpcChannels.open(base);
            validJsonAnswer = validJson();
            validGrpcAnswer = validGrpc();
            validEmbedding = validEmbedding();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isAnsweredAsTheClientsMistakeAndTheNextRequestStillGetsItsAnswer(Case hostile) throws Exception {
        WARNINGS.clear();
        Answer answer = hostile.send().apply(this);
        assertThat(answer.status()).as("status of %s; message %s", hostile, answer.message())
                .isEqualTo(hostile.status());
        assertThat(answer.message()).contains(hostile.messagePart())
                .hasSizeLessThanOrEqualTo(BoundedMessage.MAX_LENGTH + 200);
        switch (hostile.protocol()) {
            case REST, BINARY -> assertThat(validJson()).isEqualTo(validJsonAnswer);
            case GRPC -> assertThat(validGrpc()).isEqualTo(validGrpcAnswer);
            case EMBEDDINGS -> assertThat(validEmbedding()).isEqualTo(validEmbedding);
        }
        assertThat(WARNINGS).as("warnings and errors logged").extracting(LogRecord::getMessage).isEmpty();
    }

    private static Case rest(String name, String body, String status, String messagePart) {
        return new Case(name, Protocol.REST, test -> answer(given().contentType(ContentType.JSON).body(body)
                .post(INFER)), status, messagePart);
    }

    /** Binary inputs of {@code tokens} tokens, the blobs {@code shortBy} bytes shorter than the header declares. */
    private static Case binary(String name, int tokens, int extraBytes, String status, String messagePart) {
        return new Case(name, Protocol.BINARY, test -> {
            byte[] header = BundledModelRequests.binaryHeader(tokens).getBytes();
            long[][] values = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(tokens));
            byte[] blobs = new byte[0];
            for (long[] input : values) {
                byte[] blob = BundledModelRequests.int64s(input);
                int start = blobs.length;
                blobs = Arrays.copyOf(blobs, start + blob.length);
                System.arraycopy(blob, 0, blobs, start, blob.length);
            }
            blobs = Arrays.copyOf(blobs, blobs.length + extraBytes);
            byte[] body = Arrays.copyOf(header, header.length + blobs.length);
            System.arraycopy(blobs, 0, body, header.length, blobs.length);
            return answer(given().header("Inference-Header-Content-Length", header.length)
                    .contentType(ContentType.BINARY).body(body).post(INFER));
        }, status, messagePart);
    }

    private static Case grpc(String name, ModelInferRequest request, String code, String messagePart) {
        return new Case(name, Protocol.GRPC, test -> {
            try {
                GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request);
                return new Answer("OK", "");
            } catch (StatusRuntimeException e) {
                return new Answer(e.getStatus().getCode().name(), String.valueOf(e.getStatus().getDescription()));
            }
        }, code, messagePart);
    }

    private static final Map<String, String> DEFLATE = Map.of("grpc-encoding", "deflate");

    /** A gRPC call framed by hand, as no client library would frame it. */
    private static Case framed(String name, Map<String, String> headers, byte[] body, String code,
            String messagePart) {
        return new Case(name, Protocol.GRPC, test -> {
            try (H2cClient client = new H2cClient(test.vertx, test.base)) {
                H2cClient.Reply reply = client.grpcFramed("inference.GRPCInferenceService/ModelInfer", body,
                        headers);
                return new Answer(reply.grpcStatus(), reply.grpcMessage());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, code, messagePart);
    }

    private static byte[] validMessage() {
        return BundledModelRequests.grpc(VALID).toByteArray();
    }

    private static byte[] twoFrames(byte[] compressed) {
        byte[] one = frame(compressed);
        byte[] two = Arrays.copyOf(one, 2 * one.length);
        System.arraycopy(one, 0, two, one.length, one.length);
        return two;
    }

    /** One compressed frame. */
    private static byte[] frame(byte[] compressed) {
        return H2cClient.frame(true, compressed.length, compressed);
    }

    private static byte[] deflate(byte[] plain) {
        return compress(plain, DeflaterOutputStream::new);
    }

    private static Case embeddings(String name, String body, String status, String messagePart) {
        return new Case(name, Protocol.EMBEDDINGS, test -> {
            Response response = given().contentType(ContentType.JSON).body(body).post("/v1/embeddings");
            String message = response.getContentType().contains("json")
                    ? response.jsonPath().getString("error.message") : response.asString();
            return new Answer(Integer.toString(response.statusCode()), String.valueOf(message));
        }, status, messagePart);
    }

    /** A gzip header, then bytes that are no deflate stream. */
    private static final byte[] CORRUPT_GZIP = { 0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 'n', 'o', 't', ' ', 'g',
            'z', 'i', 'p' };

    private static Case compressed(String name, String coding, byte[] body, String status, String messagePart) {
        return new Case(name, Protocol.REST, test -> answer(given().contentType(ContentType.JSON)
                .header("Content-Encoding", coding).body(body).post(INFER)), status, messagePart);
    }

    private static byte[] gzip(byte[] plain) {
        return compress(plain, GZIPOutputStream::new);
    }

    private interface Compressor {
        OutputStream around(OutputStream out) throws IOException;
    }

    private static byte[] compress(byte[] plain, Compressor compressor) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = compressor.around(compressed)) {
            out.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }

    private static Answer answer(Response response) {
        String message = response.getContentType() != null && response.getContentType().contains("json")
                ? response.jsonPath().getString("error") : response.asString();
        return new Answer(Integer.toString(response.statusCode()), String.valueOf(message));
    }

    private static String tokensJson(String shape, String data) {
        return "{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":" + shape + ",\"data\":" + data
                + "}]}";
    }

    private static String texts(String text) {
        return "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"" + text + "\"]}";
    }

    private static String ones(int rank) {
        long[] dims = new long[rank];
        Arrays.fill(dims, 1);
        return Arrays.toString(dims).replace(" ", "");
    }

    private static long[] outOfVocabulary() {
        long[] ids = BundledModelRequests.tokenIds(16);
        ids[5] = 1_000_000;
        return ids;
    }

    /** The valid gRPC request with every input given this shape, and no data for an empty one. */
    private static ModelInferRequest withShape(long... shape) {
        ModelInferRequest.Builder request = BundledModelRequests.grpc(VALID).toBuilder().clearRawInputContents();
        for (int i = 0; i < request.getInputsCount(); i++) {
            request.setInputs(i, request.getInputs(i).toBuilder().clearShape()
                    .addAllShape(Arrays.stream(shape).boxed().toList()));
            request.addRawInputContents(ByteString.EMPTY);
        }
        return request.build();
    }

    private static String validJson() throws Exception {
        String body = given().contentType(ContentType.JSON).body(BundledModelRequests.json(VALID)).post(INFER)
                .then().statusCode(200).extract().asString();
        return MAPPER.readTree(body).path("outputs").toString();
    }

    private static ByteString validGrpc() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(BundledModelRequests.grpc(VALID))
                .getRawOutputContents(0);
    }

    private static JsonNode validEmbedding() throws Exception {
        String body = given().contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"The cat sits on the mat.\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().asString();
        return MAPPER.readTree(body).path("data");
    }
}
