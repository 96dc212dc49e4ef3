package dev.zeroserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.InferTensorContents;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.LittleEndian;
import dev.zeroserve.testing.TestModels;
import dev.zeroserve.testing.TypedInputsModelProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * One inference over JSON, binary REST, gRPC typed contents and gRPC raw contents returns bit-identical outputs for
 * every data type, each equal to what an independent encoding of the inputs predicts.
 */
@QuarkusTest
@TestProfile(TypedInputsModelProfile.class)
class ProtocolParityTest extends GrpcClientTestBase {
    private static final String INFER = "/v2/models/" + TypedInputsModelProfile.NAME + "/infer";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Sample values per input type, two rows of three; FP32's are exact in FP16 and BF16 too. */
    private static final Map<DataType, String> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put(DataType.BOOL, "[[true,false,true],[false,false,true]]");
        SAMPLES.put(DataType.UINT8, "[[0,1,255],[2,3,4]]");
        SAMPLES.put(DataType.INT8, "[[-128,0,127],[1,-1,2]]");
        SAMPLES.put(DataType.INT16, "[[-32768,0,32767],[1,-1,2]]");
        SAMPLES.put(DataType.INT32, "[[-2147483648,0,2147483647],[1,-1,2]]");
        SAMPLES.put(DataType.INT64, "[[-9223372036854775808,0,9223372036854775807],[1,-1,2]]");
        SAMPLES.put(DataType.FP32, "[[0.5,-2.0,1.0],[0.25,3.0,-0.0]]");
        SAMPLES.put(DataType.FP64, "[[0.1,-2.5,1.7976931348623157E308],[4.9E-324,1.0,-0.0]]");
        SAMPLES.put(DataType.BYTES, "[[\"a\",\"\",\"ünïcødé ✓\"],[\"x y\",\"q\",\"z\"]]");
    }

    private static JsonNode sample(DataType type) throws Exception {
        return MAPPER.readTree(SAMPLES.get(type));
    }

    /** The outputs the model must return, from the inputs' values alone. */
    private static Map<String, byte[]> expectedOutputs() throws Exception {
        Map<String, byte[]> expected = new LinkedHashMap<>();
        for (DataType type : TestModels.ORT_TYPES) {
            JsonNode values = SAMPLES.containsKey(type) ? sample(type) : sample(DataType.FP32);
            expected.put("out_" + type, LittleEndian.of(type, values));
        }
        return expected;
    }

    @Test
    void everyProtocolReturnsTheSameBitsForEveryType() throws Exception {
        Map<String, byte[]> expected = expectedOutputs();
        assertSameOutputs("REST JSON", expected, json());
        assertSameOutputs("REST binary", expected, binary());
        assertSameOutputs("gRPC typed", expected, grpc(false));
        assertSameOutputs("gRPC raw", expected, grpc(true));
    }

    private static void assertSameOutputs(String protocol, Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertThat(actual.keySet()).as(protocol).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(actual.get(name)).as(protocol + " " + name).isEqualTo(bytes));
    }

    private Map<String, byte[]> json() throws Exception {
        ObjectNode request = MAPPER.createObjectNode();
        ArrayNode inputs = request.putArray("inputs");
        for (DataType type : SAMPLES.keySet()) {
            ObjectNode input = inputs.addObject().put("name", "in_" + type).put("datatype", type.name());
            input.putArray("shape").add(2).add(3);
            input.set("data", sample(type));
        }
        JsonNode response = MAPPER.readTree(given().body(request.toString().getBytes(StandardCharsets.UTF_8))
                .post(INFER).then().statusCode(200).extract().asByteArray());
        Map<String, byte[]> outputs = new LinkedHashMap<>();
        for (JsonNode output : response.get("outputs")) {
            assertThat(output.get("shape").toString()).isEqualTo("[2,3]");
            outputs.put(output.get("name").asText(),
                    LittleEndian.of(DataType.valueOf(output.get("datatype").asText()), output.get("data")));
        }
        return outputs;
    }

    private Map<String, byte[]> binary() throws Exception {
        ObjectNode header = MAPPER.createObjectNode();
        header.putObject("parameters").put("binary_data_output", true);
        ArrayNode inputs = header.putArray("inputs");
        ByteArrayOutputStream blobs = new ByteArrayOutputStream();
        for (DataType type : SAMPLES.keySet()) {
            byte[] blob = LittleEndian.of(type, sample(type));
            ObjectNode input = inputs.addObject().put("name", "in_" + type).put("datatype", type.name());
            input.putArray("shape").add(2).add(3);
            input.putObject("parameters").put("binary_data_size", blob.length);
            blobs.writeBytes(blob);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(json, json.length + blobs.size());
        System.arraycopy(blobs.toByteArray(), 0, body, json.length, blobs.size());
        var response = given().header("Inference-Header-Content-Length", json.length).body(body).post(INFER)
                .then().statusCode(200).contentType("application/octet-stream").extract();
        return splitBinaryResponse(Integer.parseInt(response.header("Inference-Header-Content-Length")),
                response.asByteArray());
    }

    /** The outputs of a binary-extension response: the JSON header, then each output's blob in order. */
    static Map<String, byte[]> splitBinaryResponse(int jsonLength, byte[] body) throws Exception {
        JsonNode header = MAPPER.readTree(Arrays.copyOf(body, jsonLength));
        Map<String, byte[]> outputs = new LinkedHashMap<>();
        int next = jsonLength;
        for (JsonNode output : header.get("outputs")) {
            int size = output.get("parameters").get("binary_data_size").asInt();
            assertThat(output.has("data")).isFalse();
            outputs.put(output.get("name").asText(), Arrays.copyOfRange(body, next, next + size));
            next += size;
        }
        assertThat(next).isEqualTo(body.length);
        return outputs;
    }

    private Map<String, byte[]> grpc(boolean raw) throws Exception {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(TypedInputsModelProfile.NAME);
        for (DataType type : SAMPLES.keySet()) {
            ModelInferRequest.InferInputTensor.Builder input = request.addInputsBuilder()
                    .setName("in_" + type).setDatatype(type.name()).addShape(2).addShape(3);
            if (raw) {
                request.addRawInputContents(ByteString.copyFrom(LittleEndian.of(type, sample(type))));
            } else {
                input.setContents(typedContents(type, sample(type)));
            }
        }
        ModelInferResponse response = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request.build());
        assertThat(response.getRawOutputContentsCount()).isEqualTo(response.getOutputsCount());
        Map<String, byte[]> outputs = new LinkedHashMap<>();
        for (int i = 0; i < response.getOutputsCount(); i++) {
            assertThat(response.getOutputs(i).getShapeList()).containsExactly(2L, 3L);
            outputs.put(response.getOutputs(i).getName(), response.getRawOutputContents(i).toByteArray());
        }
        return outputs;
    }

    static InferTensorContents typedContents(DataType type, JsonNode values) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        List<JsonNode> flat = new java.util.ArrayList<>();
        values.forEach(row -> row.forEach(flat::add));
        for (JsonNode value : flat) {
            switch (type) {
                case BOOL -> contents.addBoolContents(value.asBoolean());
                case INT8, INT16, INT32 -> contents.addIntContents(value.asInt());
                case UINT8, UINT16, UINT32 -> contents.addUintContents(value.asInt());
                case INT64 -> contents.addInt64Contents(value.asLong());
                case UINT64 -> contents.addUint64Contents(value.bigIntegerValue().longValue());
                case FP32 -> contents.addFp32Contents(value.floatValue());
                case FP64 -> contents.addFp64Contents(value.doubleValue());
                case BYTES -> contents.addBytesContents(ByteString.copyFromUtf8(value.asText()));
                default -> throw new IllegalArgumentException(type + " travels only raw");
            }
        }
        return contents.build();
    }

    @Test
    void float16OutputsMatchTheCastOfTheFloat32Input() throws Exception {
        Map<String, byte[]> outputs = grpc(true);
        ByteBuffer half = ByteBuffer.wrap(outputs.get("out_FP16")).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(half.getShort(0)).isEqualTo((short) 0x3800);
        assertThat(half.getShort(2)).isEqualTo((short) 0xC000);
    }
}
