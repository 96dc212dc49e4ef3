package dev.zeroserve.api.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.testing.AllTypesModelProfile;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Every data type over REST/JSON, against a model the test builds and serves from a repository layout. */
@QuarkusTest
@TestProfile(AllTypesModelProfile.class)
class V2RestAllTypesTest {
    private static final String INFER = "/v2/models/" + AllTypesModelProfile.NAME + "/infer";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    /** Two rows of three values per type, chosen to hit each type's edges. */
    static String sampleData(DataType type) {
        return switch (type) {
            case BOOL -> "[[true,false,true],[false,false,true]]";
            case UINT8 -> "[[0,1,255],[2,3,4]]";
            case INT8 -> "[[-128,0,127],[1,-1,2]]";
            case INT16 -> "[[-32768,0,32767],[1,-1,2]]";
            case INT32 -> "[[-2147483648,0,2147483647],[1,-1,2]]";
            case INT64 -> "[[-9223372036854775808,0,9223372036854775807],[1,-1,2]]";
            case FP16 -> "[[0.5,-2.0,65504.0],[0.099975586,1.0,-0.0]]";
            case BF16 -> "[[0.5,-2.0,3.3895314E38],[0.099609375,1.0,-0.0]]";
            // 1.0E-45 is the shortest decimal that reads back as 1.4E-45, the smallest float.
            case FP32 -> "[[0.1,-2.5,3.4028235E38],[1.0E-45,1.0,-0.0]]";
            case FP64 -> "[[0.1,-2.5,1.7976931348623157E308],[4.9E-324,1.0,-0.0]]";
            case BYTES -> "[[\"a\",\"\",\"ünïcødé ✓\"],[\"x y\",\"\\\"q\\\"\",\"z\"]]";
            default -> throw new IllegalArgumentException(type + " is not served");
        };
    }

    static ObjectNode fullRequest() throws Exception {
        ObjectNode request = MAPPER.createObjectNode();
        ArrayNode inputs = request.putArray("inputs");
        for (DataType type : TestModels.ORT_TYPES) {
            ObjectNode input = inputs.addObject().put("name", "in_" + type).put("datatype", type.name());
            input.putArray("shape").add(2).add(3);
            input.set("data", MAPPER.readTree(sampleData(type)));
        }
        for (String name : List.of("a", "b")) {
            ObjectNode input = inputs.addObject().put("name", name).put("datatype", "FP32");
            input.putArray("shape").add(2).add(4);
            input.set("data", MAPPER.readTree(name.equals("a") ? "[1,2,3,4,5,6,7,8]" : "[10,20,30,40,50,60,70,80]"));
        }
        return request;
    }

    @Test
    void metadataNamesTheModelAfterItsRepositoryDirectories() {
        given().get("/v2/models/all-types/versions/3").then().statusCode(200)
                .body("name", equalTo("all-types"))
                .body("versions", equalTo(List.of("3")))
                .body("inputs.find { it.name == 'in_FP16' }.shape", equalTo(List.of(-1, 3)))
                .body("inputs.find { it.name == 'in_BYTES' }.datatype", equalTo("BYTES"));
    }

    @Test
    void everyDataTypeRoundTripsThroughTheModel() throws Exception {
        JsonNode response = MAPPER.readTree(given().body(fullRequest().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(INFER).then()
                .statusCode(200).extract().asString());
        for (DataType type : TestModels.ORT_TYPES) {
            JsonNode output = find(response, "out_" + type);
            assertThat(output.get("datatype").asText()).isEqualTo(type.name());
            assertThat(output.get("shape").toString()).isEqualTo("[2,3]");
            JsonNode expected = MAPPER.readTree(sampleData(type));
            ArrayNode flat = MAPPER.createArrayNode();
            expected.forEach(row -> row.forEach(flat::add));
            assertThat(output.get("data").toString()).as(type.name()).isEqualTo(flat.toString());
        }
        assertThat(find(response, "sum").get("data").toString())
                .isEqualTo("[11.0,22.0,33.0,44.0,55.0,66.0,77.0,88.0]");
    }

    @Test
    void requestedOutputsComeBackInTheRequestedOrder() throws Exception {
        ObjectNode request = fullRequest();
        ArrayNode outputs = request.putArray("outputs");
        outputs.addObject().put("name", "sum");
        outputs.addObject().put("name", "out_INT8");
        JsonNode response = MAPPER.readTree(given().body(request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(INFER).then()
                .statusCode(200).extract().asString());
        assertThat(response.get("outputs")).extracting(o -> o.get("name").asText()).containsExactly("sum", "out_INT8");
    }

    @Test
    void fixedDimensionMismatchIsRejected() throws Exception {
        ObjectNode request = fullRequest();
        ObjectNode input = (ObjectNode) request.get("inputs").get(TestModels.ORT_TYPES.indexOf(DataType.FP32));
        input.putArray("shape").add(3).add(2);
        assertBadRequest(request, "input 'in_FP32'", "dimension 1 is 2", "expects 3");
    }

    @Test
    void sharedBatchDimensionMustAgree() throws Exception {
        ObjectNode request = fullRequest();
        ObjectNode a = (ObjectNode) request.get("inputs").get(TestModels.ORT_TYPES.size());
        a.putArray("shape").add(1).add(4);
        ((ArrayNode) a.get("data")).removeAll().add(1).add(2).add(3).add(4);
        assertBadRequest(request, "input 'a'", "'batch'", "is 1");
    }

    @Test
    void valuesOutOfTheTypesRangeAreRejected() throws Exception {
        ObjectNode request = fullRequest();
        ObjectNode input = (ObjectNode) request.get("inputs").get(TestModels.ORT_TYPES.indexOf(DataType.INT8));
        input.set("data", MAPPER.readTree("[[1,2,3],[4,5,128]]"));
        assertBadRequest(request, "input 'in_INT8'", "element 5", "(128) is out of range for INT8");
    }

    private static void assertBadRequest(ObjectNode request, String... fragments) {
        String error = given().body(request.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(INFER).then().statusCode(400).extract().path("error");
        assertThat(error).contains(fragments);
    }

    private static JsonNode find(JsonNode response, String name) {
        for (JsonNode output : response.get("outputs")) {
            if (output.get("name").asText().equals(name)) {
                return output;
            }
        }
        throw new AssertionError("no output " + name + " in " + response);
    }
}
