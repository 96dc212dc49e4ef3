package dev.zeroserve.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The v2 REST API over real HTTP against the bundled all-MiniLM-L6-v2 model, served with zero configuration. */
@QuarkusTest
class V2RestBundledModelTest {
    static final String MODEL = "all-minilm-l6-v2";
    static final String INFER = "/v2/models/" + MODEL + "/infer";
    static final long[] TOKENS = DirectOnnxRuntime.TOKENS_16;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    static ObjectNode request(long[] tokens) {
        ObjectNode request = MAPPER.createObjectNode();
        ArrayNode inputs = request.putArray("inputs");
        for (String name : List.of("input_ids", "attention_mask", "token_type_ids")) {
            ObjectNode input = inputs.addObject();
            input.put("name", name).put("datatype", "INT64");
            input.putArray("shape").add(1).add(tokens.length);
            ArrayNode data = input.putArray("data");
            for (long token : tokens) {
                data.add(name.equals("input_ids") ? token : name.equals("attention_mask") ? 1 : 0);
            }
        }
        return request;
    }

    private static JsonNode infer(ObjectNode request) throws Exception {
        String body = given().contentType(ContentType.JSON).body(request.toString())
                .post(INFER).then().statusCode(200).extract().asString();
        return MAPPER.readTree(body);
    }

    @Test
    void serverMetadataAndHealth() {
        given().get("/v2").then().statusCode(200)
                .body("name", equalTo("zeroserve"))
                .body("extensions", hasItem("parameters"));
        given().get("/v2/").then().statusCode(200).body("name", equalTo("zeroserve"));
        given().get("/v2/health/live").then().statusCode(200).body("live", equalTo(true));
        given().get("/v2/health/ready").then().statusCode(200).body("ready", equalTo(true));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void modelMetadataComesFromTheSession() {
        given().get("/v2/models/" + MODEL).then().statusCode(200)
                .body("name", equalTo(MODEL))
                .body("versions", equalTo(List.of("1")))
                .body("platform", equalTo("onnxruntime_onnx"))
                .body("inputs.name", equalTo(List.of("input_ids", "attention_mask", "token_type_ids")))
                .body("inputs[0].datatype", equalTo("INT64"))
                .body("inputs[0].shape", equalTo(List.of(-1, -1)))
                .body("outputs[0].name", equalTo("last_hidden_state"))
                .body("outputs[0].shape", equalTo(List.of(-1, -1, 384)))
                .body("properties.execution_provider", equalTo("cpu"));
        given().get("/v2/models/" + MODEL + "/versions/1").then().statusCode(200).body("name", equalTo(MODEL));
        given().get("/v2/models/" + MODEL + "/ready").then().statusCode(200).body("ready", equalTo(true));
        given().get("/v2/models/" + MODEL + "/versions/1/ready").then().statusCode(200);
    }

    @Test
    void unknownModelOrVersionIs404() {
        given().get("/v2/models/nope").then().statusCode(404).body("error", containsString("unknown model 'nope'"));
        given().get("/v2/models/nope/ready").then().statusCode(404);
        given().get("/v2/models/" + MODEL + "/versions/9").then().statusCode(404)
                .body("error", containsString("unknown version '9'"));
        given().get("/v2/models/" + MODEL + "/versions/9/ready").then().statusCode(404);
        given().body(request(TOKENS).toString()).post("/v2/models/nope/infer").then().statusCode(404)
                .body("error", containsString("unknown model 'nope'"));
        given().body(request(TOKENS).toString()).post("/v2/models/" + MODEL + "/versions/2/infer").then()
                .statusCode(404).body("error", containsString("unknown version '2'"));
        given().get("/v2/no/such/path").then().statusCode(404).body("error", containsString(""));
    }

    @Test
    void inferenceMatchesOnnxRuntimeCalledDirectly() throws Exception {
        ObjectNode request = request(TOKENS);
        request.put("id", "req-16");
        JsonNode response = infer(request);
        assertThat(response.get("id").asText()).isEqualTo("req-16");
        assertThat(response.get("model_name").asText()).isEqualTo(MODEL);
        assertThat(response.get("model_version").asText()).isEqualTo("1");
        JsonNode output = response.get("outputs").get(0);
        assertThat(output.get("name").asText()).isEqualTo("last_hidden_state");
        assertThat(output.get("datatype").asText()).isEqualTo("FP32");
        assertThat(output.get("shape").toString()).isEqualTo("[1,16,384]");

        float[] expected;
        try (OrtSession session = DirectOnnxRuntime.openBundledModel()) {
            expected = DirectOnnxRuntime.lastHiddenState(session, TOKENS);
        }
        JsonNode data = output.get("data");
        assertThat(data.size()).isEqualTo(expected.length);
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(data.get(i).floatValue() - expected[i]));
        }
        assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void everyBadInputGetsA400NamingTheProblemAndTheServiceKeepsAnswering() throws Exception {
        JsonNode before = infer(request(TOKENS));

        ObjectNode unknownInput = request(TOKENS);
        ((ObjectNode) unknownInput.get("inputs").get(2)).put("name", "segment_ids");
        assertBadRequest(unknownInput.toString(), "unknown input 'segment_ids'", "token_type_ids");

        ObjectNode missingInput = request(TOKENS);
        ((ArrayNode) missingInput.get("inputs")).remove(1);
        assertBadRequest(missingInput.toString(), "missing input 'attention_mask'");

        ObjectNode duplicateInput = request(TOKENS);
        ((ArrayNode) duplicateInput.get("inputs")).add(duplicateInput.get("inputs").get(0).deepCopy());
        assertBadRequest(duplicateInput.toString(), "input 'input_ids' is given more than once");

        ObjectNode wrongType = request(TOKENS);
        ((ObjectNode) wrongType.get("inputs").get(0)).put("datatype", "INT32");
        assertBadRequest(wrongType.toString(), "input 'input_ids'", "datatype INT32", "INT64");

        ObjectNode wrongRank = request(TOKENS);
        ((ObjectNode) wrongRank.get("inputs").get(0)).putArray("shape").add(16);
        assertBadRequest(wrongRank.toString(), "input 'input_ids'", "rank 1", "rank 2");

        ObjectNode mismatchedSequence = request(TOKENS);
        ObjectNode mask = (ObjectNode) mismatchedSequence.get("inputs").get(1);
        mask.putArray("shape").add(2).add(8);
        assertBadRequest(mismatchedSequence.toString(), "input 'attention_mask'", "dimension 0", "is 2");

        ObjectNode shortData = request(TOKENS);
        ((ArrayNode) shortData.get("inputs").get(0).get("data")).remove(0);
        assertBadRequest(shortData.toString(), "input 'input_ids'", "15 elements", "holds 16");

        ObjectNode negativeDim = request(TOKENS);
        ((ObjectNode) negativeDim.get("inputs").get(0)).putArray("shape").add(-1).add(16);
        assertBadRequest(negativeDim.toString(), "input 'input_ids'", "negative");

        ObjectNode overflowingDims = request(TOKENS);
        ((ObjectNode) overflowingDims.get("inputs").get(0)).putArray("shape").add(Long.MAX_VALUE).add(4);
        assertBadRequest(overflowingDims.toString(), "input 'input_ids'", "64-bit");

        ObjectNode absurdDims = request(TOKENS);
        ((ObjectNode) absurdDims.get("inputs").get(0)).putArray("shape").add(100_000).add(100_000);
        assertBadRequest(absurdDims.toString(), "input 'input_ids'", "zeroserve.limits.max-elements");

        ObjectNode unknownOutput = request(TOKENS);
        unknownOutput.putArray("outputs").addObject().put("name", "pooler_output");
        assertBadRequest(unknownOutput.toString(), "unknown output 'pooler_output'", "last_hidden_state");

        assertBadRequest("{\"inputs\": [", "malformed JSON");
        assertBadRequest("", "the request body is empty");
        assertBadRequest("\"just a string\"", "must be a JSON object");

        JsonNode after = infer(request(TOKENS));
        assertThat(after).isEqualTo(before);
    }

    @Test
    void outputsSelectionAndParametersAreAccepted() throws Exception {
        ObjectNode request = request(TOKENS);
        request.putObject("parameters").put("priority", 1).put("tag", "x").put("flag", true);
        request.putArray("outputs").addObject().put("name", "last_hidden_state")
                .putObject("parameters").put("binary_data", false);
        JsonNode response = infer(request);
        assertThat(response.get("outputs")).hasSize(1);
    }

    @Test
    void bodyOverTheLimitGets413WithoutBeingRead() throws Exception {
        RawHttp.RawResponse response = RawHttp.postHeadersOnly(base, INFER, 64L * 1024 * 1024 + 1);
        assertThat(response.head()).startsWith("HTTP/1.1 413");
        assertThat(MAPPER.readTree(response.body()).get("error").asText())
                .contains("exceeds the limit of 67108864 bytes");
        infer(request(TOKENS));
    }

    private static void assertBadRequest(String body, String... fragments) {
        String error = given().body(body).post(INFER).then().statusCode(400)
                .contentType(ContentType.JSON).extract().path("error");
        assertThat(error).as(body).contains(fragments);
    }
}
