package dev.zeroserve.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Requests to /v1/embeddings of the running test server, and what their answers must look like. */
public final class EmbeddingsRequests {
    public static final String MODEL = "all-minilm-l6-v2";
    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final double SAME = 0.9999;
    /**
     * The bundled int8 model quantizes activations with one scale per call, so rows that share a call (other texts,
     * padding) move each other's results slightly, as zeroserve.batching.policy=batch allows; measured no lower than
     * 0.9815, for a 4-token text padded to 12 (see {@link DirectEmbeddings}).
     */
    public static final double SAME_CALL_INT8 = 0.98;

    private EmbeddingsRequests() {
    }

    public static Response post(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/embeddings");
    }

    public static JsonNode embeddings(ObjectNode request) throws Exception {
        Response response = post(request.toString());
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        return MAPPER.readTree(response.asString());
    }

    public static ObjectNode request(Object... texts) {
        ObjectNode request = MAPPER.createObjectNode().put("model", MODEL);
        ArrayNode input = request.putArray("input");
        for (Object text : texts) {
            input.add((String) text);
        }
        return request;
    }

    public static float[] floats(JsonNode embedding) {
        float[] values = new float[embedding.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) embedding.get(i).asDouble();
        }
        return values;
    }

    public static JsonNode assertOpenAiError(Response response, int status, String param, String code, String mentions)
            throws Exception {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode body = MAPPER.readTree(response.asString());
        assertThat(fieldNames(body)).containsExactly("error");
        JsonNode error = body.get("error");
        assertThat(fieldNames(error)).containsExactlyInAnyOrder("message", "type", "param", "code");
        assertThat(error.get("type").asText()).isEqualTo(status >= 500 ? "server_error" : "invalid_request_error");
        assertThat(error.get("message").asText()).containsIgnoringCase(mentions);
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("code").isNull() ? null : error.get("code").asText()).isEqualTo(code);
        return error;
    }

    public static void assertBadRequest(String body, String param, String mentions) throws Exception {
        assertOpenAiError(post(body), 400, param, null, mentions);
    }

    public static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}
