package dev.zeroserve.api.grpc;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.InferTensorContents;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.api.grpc.v2.ModelMetadataRequest;
import dev.zeroserve.api.grpc.v2.ModelMetadataResponse;
import dev.zeroserve.api.grpc.v2.ModelReadyRequest;
import dev.zeroserve.api.grpc.v2.ServerLiveRequest;
import dev.zeroserve.api.grpc.v2.ServerMetadataRequest;
import dev.zeroserve.api.grpc.v2.ServerReadyRequest;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.H2cClient;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;

/** The v2 gRPC service and gRPC health over the HTTP port, against the bundled model. */
@QuarkusTest
class GrpcBundledModelTest extends GrpcClientTestBase {
    private static final String MODEL = "all-minilm-l6-v2";
    private static final long[] TOKENS = DirectOnnxRuntime.TOKENS_16;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Inject
    Vertx vertx;

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

    @BeforeEach
    void stub() {
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    static byte[] int64s(long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    static long[] filled(long value) {
        long[] values = new long[TOKENS.length];
        java.util.Arrays.fill(values, value);
        return values;
    }

    static ModelInferRequest rawRequest() {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(MODEL).setId("grpc-1");
        Map<String, long[]> inputs = Map.of("input_ids", TOKENS, "attention_mask", filled(1), "token_type_ids",
                filled(0));
        for (String name : new String[] { "input_ids", "attention_mask", "token_type_ids" }) {
            request.addInputsBuilder().setName(name).setDatatype("INT64").addShape(1).addShape(TOKENS.length);
            request.addRawInputContents(ByteString.copyFrom(int64s(inputs.get(name))));
        }
        return request.build();
    }

    static ModelInferRequest typedRequest() {
        ModelInferRequest raw = rawRequest();
        ModelInferRequest.Builder typed = raw.toBuilder().clearRawInputContents();
        for (int i = 0; i < raw.getInputsCount(); i++) {
            ByteBuffer data = raw.getRawInputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            while (data.hasRemaining()) {
                contents.addInt64Contents(data.getLong());
            }
            typed.getInputsBuilder(i).setContents(contents);
        }
        return typed.build();
    }

    @Test
    void serverAndModelMetadataAndHealth() {
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        var server = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
        assertThat(server.getName()).isEqualTo("zeroserve");
        assertThat(server.getExtensionsList()).contains("binary_tensor_data", "parameters");
        ModelMetadataResponse metadata = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build());
        assertThat(metadata.getVersionsList()).containsExactly("1");
        assertThat(metadata.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(metadata.getInputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName)
                .containsExactly("input_ids", "attention_mask", "token_type_ids");
        assertThat(metadata.getOutputs(0).getShapeList()).containsExactly(-1L, -1L, 384L);
        assertThat(metadata.getPropertiesMap()).containsEntry("execution_provider", "cpu");
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).setVersion("1").build()).getReady())
                .isTrue();
        assertStatus(() -> stub.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()),
                Status.Code.NOT_FOUND, "unknown model 'nope'");
        assertStatus(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).setVersion("7").build()),
                Status.Code.NOT_FOUND, "unknown version '7'");

        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("inference.GRPCInferenceService").build())
                .getStatus()).isEqualTo(ServingStatus.SERVING);
        assertStatus(() -> health.check(HealthCheckRequest.newBuilder().setService("other").build()),
                Status.Code.NOT_FOUND, "unknown service 'other'");
    }

    @Test
    void rawTypedJsonAndBinaryRestGiveTheSameBitsAsOnnxRuntime() throws Exception {
        ModelInferResponse raw = stub.modelInfer(rawRequest());
        ModelInferResponse typed = stub.modelInfer(typedRequest());
        assertThat(raw.getId()).isEqualTo("grpc-1");
        assertThat(raw.getModelVersion()).isEqualTo("1");
        assertThat(raw.getOutputs(0).getName()).isEqualTo("last_hidden_state");
        assertThat(raw.getOutputs(0).getDatatype()).isEqualTo("FP32");
        assertThat(raw.getOutputs(0).getShapeList()).containsExactly(1L, 16L, 384L);
        byte[] rawBytes = raw.getRawOutputContents(0).toByteArray();
        assertThat(typed.getRawOutputContents(0).toByteArray()).isEqualTo(rawBytes);

        String json = "{\"inputs\":[" + jsonInput("input_ids", TOKENS) + "," + jsonInput("attention_mask", filled(1))
                + "," + jsonInput("token_type_ids", filled(0)) + "]}";
        JsonNode data = MAPPER.readTree(given().body(json).post("/v2/models/" + MODEL + "/infer").then()
                .statusCode(200).extract().asString()).get("outputs").get(0).get("data");
        ByteBuffer fromJson = ByteBuffer.allocate(data.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.forEach(value -> fromJson.putFloat(value.floatValue()));
        assertThat(fromJson.array()).isEqualTo(rawBytes);

        String header = "{\"inputs\":[" + binaryInput("input_ids") + "," + binaryInput("attention_mask") + ","
                + binaryInput("token_type_ids") + "],\"outputs\":[{\"name\":\"last_hidden_state\","
                + "\"parameters\":{\"binary_data\":true}}]}";
        byte[] body = concat(header.getBytes(StandardCharsets.UTF_8), int64s(TOKENS), int64s(filled(1)),
                int64s(filled(0)));
        var binary = given().header("Inference-Header-Content-Length", header.length()).body(body)
                .post("/v2/models/" + MODEL + "/infer").then().statusCode(200).extract();
        int jsonLength = Integer.parseInt(binary.header("Inference-Header-Content-Length"));
        byte[] response = binary.asByteArray();
        assertThat(java.util.Arrays.copyOfRange(response, jsonLength, response.length)).isEqualTo(rawBytes);

        float[] direct;
        try (var session = DirectOnnxRuntime.openBundledModel()) {
            direct = DirectOnnxRuntime.lastHiddenState(session, TOKENS);
        }
        ByteBuffer rawFloats = ByteBuffer.wrap(rawBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < direct.length; i++) {
            assertThat(Math.abs(rawFloats.getFloat(i * 4) - direct[i])).isLessThanOrEqualTo(1e-4f);
        }
    }

    private static String jsonInput(String name, long[] values) {
        return "{\"name\":\"" + name + "\",\"datatype\":\"INT64\",\"shape\":[1,16],\"data\":"
                + java.util.Arrays.toString(values) + "}";
    }

    private static String binaryInput(String name) {
        return "{\"name\":\"" + name + "\",\"datatype\":\"INT64\",\"shape\":[1,16],"
                + "\"parameters\":{\"binary_data_size\":128}}";
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void everyBadInputGetsItsStatusAndTheServiceKeepsAnswering() {
        ModelInferResponse before = stub.modelInfer(rawRequest());
        assertInvalid(r -> r.setModelName("nope"), Status.Code.NOT_FOUND, "unknown model 'nope'");
        assertInvalid(r -> r.setModelVersion("3"), Status.Code.NOT_FOUND, "unknown version '3'");
        assertInvalid(r -> {
            r.getInputsBuilder(2).setName("segment_ids");
            return r;
        }, Status.Code.INVALID_ARGUMENT, "unknown input 'segment_ids'");
        assertInvalid(r -> r.removeInputs(1).clearRawInputContents()
                .addRawInputContents(rawRequest().getRawInputContents(0))
                .addRawInputContents(rawRequest().getRawInputContents(2)),
                Status.Code.INVALID_ARGUMENT, "missing input 'attention_mask'");
        assertInvalid(r -> {
            r.getInputsBuilder(0).setDatatype("INT32");
            return r.setRawInputContents(0, ByteString.copyFrom(new byte[64]));
        }, Status.Code.INVALID_ARGUMENT, "input 'input_ids': datatype INT32 does not match the model's INT64");
        assertInvalid(r -> {
            r.getInputsBuilder(0).clearShape().addShape(16);
            return r;
        }, Status.Code.INVALID_ARGUMENT, "rank 1");
        assertInvalid(r -> r.setRawInputContents(0, ByteString.copyFrom(new byte[120])),
                Status.Code.INVALID_ARGUMENT, "input 'input_ids': 120 bytes of INT64 data, but shape [1,16] needs 128");
        assertInvalid(r -> {
            r.getInputsBuilder(0).clearShape().addShape(-1).addShape(16);
            return r;
        }, Status.Code.INVALID_ARGUMENT, "negative");
        assertInvalid(r -> {
            r.getInputsBuilder(0).clearShape().addShape(Long.MAX_VALUE).addShape(16);
            return r;
        }, Status.Code.INVALID_ARGUMENT, "64-bit");
        assertInvalid(r -> {
            r.getInputsBuilder(0).clearShape().addShape(100_000).addShape(100_000);
            return r;
        }, Status.Code.INVALID_ARGUMENT, "zeroserve.limits.max-elements");
        assertInvalid(r -> {
            r.getInputsBuilder(0).setDatatype("FLOAT");
            return r;
        }, Status.Code.INVALID_ARGUMENT, "unknown datatype 'FLOAT'");
        assertInvalid(r -> r.addRawInputContents(ByteString.EMPTY), Status.Code.INVALID_ARGUMENT,
                "raw_input_contents has 4 entries for 3 inputs");
        assertInvalid(r -> {
            r.getInputsBuilder(0).setContents(InferTensorContents.newBuilder().addInt64Contents(1));
            return r;
        }, Status.Code.INVALID_ARGUMENT, "input 'input_ids' has typed contents while the request also uses raw");
        assertInvalid(r -> r.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("pooled")),
                Status.Code.INVALID_ARGUMENT, "unknown output 'pooled'");

        ModelInferRequest.Builder shortTyped = typedRequest().toBuilder();
        shortTyped.getInputsBuilder(1).setContents(InferTensorContents.newBuilder().addInt64Contents(1));
        assertStatus(() -> stub.modelInfer(shortTyped.build()), Status.Code.INVALID_ARGUMENT,
                "input 'attention_mask': 1 values in int64_contents, but shape holds 16");

        assertThat(stub.modelInfer(rawRequest())).isEqualTo(before);
    }

    @Test
    void aRequestWhoseDeadlineHasPassedIsNotRun() throws Exception {
        try (H2cClient client = new H2cClient(vertx, base)) {
            H2cClient.Reply reply = client.grpc("inference.GRPCInferenceService/ModelInfer",
                    rawRequest().toByteArray(), Map.of("grpc-timeout", "1n"));
            assertThat(reply.grpcHeader("grpc-status")).isEqualTo(Integer.toString(Status.Code.DEADLINE_EXCEEDED.value()));
            H2cClient.Reply inTime = client.grpc("inference.GRPCInferenceService/ModelInfer",
                    rawRequest().toByteArray(), Map.of("grpc-timeout", "30S"));
            assertThat(inTime.grpcHeader("grpc-status")).isEqualTo("0");
            assertThat(ModelInferResponse.parseFrom(java.util.Arrays.copyOfRange(inTime.body(), 5,
                    inTime.body().length)).getOutputsCount()).isEqualTo(1);
        }
    }

    @Test
    void restAnswersOverH2cPriorKnowledgeOnTheGrpcPort() throws Exception {
        try (H2cClient client = new H2cClient(vertx, base)) {
            H2cClient.Reply metadata = client.send(HttpMethod.GET, "/v2", Map.of(), null);
            assertThat(metadata.version()).isEqualTo(HttpVersion.HTTP_2);
            assertThat(metadata.status()).isEqualTo(200);
            assertThat(MAPPER.readTree(metadata.body()).get("name").asText()).isEqualTo("zeroserve");
            String json = "{\"inputs\":[" + jsonInput("input_ids", TOKENS) + ","
                    + jsonInput("attention_mask", filled(1)) + "," + jsonInput("token_type_ids", filled(0)) + "]}";
            H2cClient.Reply inference = client.send(HttpMethod.POST, "/v2/models/" + MODEL + "/infer",
                    Map.of("content-type", "application/json"), json.getBytes(StandardCharsets.UTF_8));
            assertThat(inference.status()).isEqualTo(200);
            assertThat(MAPPER.readTree(inference.body()).get("outputs").get(0).get("shape").toString())
                    .isEqualTo("[1,16,384]");
        }
    }

    private void assertInvalid(UnaryOperator<ModelInferRequest.Builder> change, Status.Code code, String fragment) {
        ModelInferRequest request = change.apply(rawRequest().toBuilder()).build();
        assertStatus(() -> stub.modelInfer(request), code, fragment);
    }

    private static void assertStatus(Runnable call, Status.Code code, String fragment) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(fragment);
        });
    }
}
