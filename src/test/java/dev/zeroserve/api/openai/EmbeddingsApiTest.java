package dev.zeroserve.api.openai;

import static dev.zeroserve.testing.EmbeddingsRequests.MAPPER;
import static dev.zeroserve.testing.EmbeddingsRequests.MODEL;
import static dev.zeroserve.testing.EmbeddingsRequests.SAME;
import static dev.zeroserve.testing.EmbeddingsRequests.assertBadRequest;
import static dev.zeroserve.testing.EmbeddingsRequests.assertOpenAiError;
import static dev.zeroserve.testing.EmbeddingsRequests.embeddings;
import static dev.zeroserve.testing.EmbeddingsRequests.fieldNames;
import static dev.zeroserve.testing.EmbeddingsRequests.floats;
import static dev.zeroserve.testing.EmbeddingsRequests.post;
import static dev.zeroserve.testing.EmbeddingsRequests.request;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.zeroserve.serving.EventLoopWork;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.DirectEmbeddings;
import dev.zeroserve.testing.Metrics;
import dev.zeroserve.testing.RawHttp;
import dev.zeroserve.testing.Sentences;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** /v1/embeddings and /v1/models over real HTTP against the bundled all-MiniLM-L6-v2, with its defaults. */
@QuarkusTest
class EmbeddingsApiTest {
    /** A text's embedding equals its stand-alone one, whatever it shares a request or the server with. */
    private static final double EXACT = 0.99999;
    private static DirectEmbeddings direct;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() throws Exception {
        Await.modelReady();
        direct = DirectEmbeddings.shared();
    }

    static List<float[]> vectors(JsonNode response) {
        List<float[]> vectors = new ArrayList<>();
        for (JsonNode item : response.get("data")) {
            vectors.add(floats(item.get("embedding")));
        }
        return vectors;
    }

    static List<long[]> tokenIds(String... texts) {
        List<long[]> ids = new ArrayList<>();
        for (String text : texts) {
            ids.add(direct.tokenIds(text));
        }
        return ids;
    }

    @Test
    void fixedSentencesEqualTheDirectTokenizerOnnxRuntimeAndMeanPoolingAloneOrTogether() throws Exception {
        for (String sentence : Sentences.FIXED) {
            float[] served = vectors(embeddings(request(sentence))).get(0);
            assertThat(DirectEmbeddings.cosine(served, direct.embed(sentence))).as("alone: %s", sentence)
                    .isGreaterThanOrEqualTo(EXACT);
        }
        List<float[]> together = vectors(embeddings(request(Sentences.FIXED.toArray())));
        assertThat(together).hasSize(Sentences.FIXED.size());
        for (int i = 0; i < together.size(); i++) {
            assertThat(DirectEmbeddings.cosine(together.get(i), direct.embed(Sentences.FIXED.get(i))))
                    .as("in one request: %s", Sentences.FIXED.get(i)).isGreaterThanOrEqualTo(EXACT);
        }
    }

    @Test
    void eachTextOfAMixedRequestGetsExactlyItsStandAloneResult() throws Exception {
        String[] mixed = { Sentences.SHORT, Sentences.LONG, "Hi.", Sentences.LONG + " And one more clause.",
                Sentences.SHORT, "hello world" };
        List<float[]> together = vectors(embeddings(request((Object[]) mixed)));
        for (int i = 0; i < mixed.length; i++) {
            float[] alone = vectors(embeddings(request(mixed[i]))).get(0);
            assertThat(DirectEmbeddings.cosine(alone, direct.embed(mixed[i]))).as("text %d alone", i)
                    .isGreaterThanOrEqualTo(EXACT);
            assertThat(DirectEmbeddings.cosine(together.get(i), alone)).as("text %d with the others and alone", i)
                    .isGreaterThanOrEqualTo(EXACT);
        }
        // What sharing one call would have cost this int8 model: the padded short text moves.
        List<float[]> allInOneCall = direct.embedBatch(tokenIds(mixed));
        assertThat(DirectEmbeddings.cosine(together.get(2), allInOneCall.get(2))).isLessThan(SAME);
    }

    @Test
    void aBodyOverTheEventLoopsTextBoundIsTokenizedOnAWorkerAlike() throws Exception {
        String compact = request(Sentences.SHORT, Sentences.LONG).toString();
        // JSON allows whitespace between values: the same request in a body that leaves the event loop.
        String padded = compact.replaceFirst("\\{", "{" + " ".repeat((int) EventLoopWork.INLINE_TEXT_BYTES));
        assertThat(padded.length()).isGreaterThan((int) EventLoopWork.INLINE_TEXT_BYTES);
        List<float[]> onTheLoop = vectors(MAPPER.readTree(post(compact).then().statusCode(200).extract().asString()));
        List<float[]> onAWorker = vectors(MAPPER.readTree(post(padded).then().statusCode(200).extract().asString()));
        for (int i = 0; i < 2; i++) {
            assertThat(onAWorker.get(i)).containsExactly(onTheLoop.get(i));
        }
        assertThat(DirectEmbeddings.cosine(onTheLoop.get(1), direct.embed(Sentences.LONG)))
                .isGreaterThanOrEqualTo(EXACT);
    }

    @Test
    void readinessWaitsForTheTokenizer() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'tokenizer-loaded' }.status", equalTo("UP"));
    }

    @Test
    void theResponseHasOpenAisShapeFieldByField() throws Exception {
        JsonNode response = embeddings(request("hello world", "second input"));
        assertThat(response.size()).as("fields: %s", response).isEqualTo(4);
        assertThat(response.get("object").asText()).isEqualTo("list");
        assertThat(response.get("model").asText()).isEqualTo(MODEL);
        JsonNode data = response.get("data");
        assertThat(data.isArray()).isTrue();
        assertThat(data.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            JsonNode item = data.get(i);
            assertThat(fieldNames(item)).containsExactly("object", "index", "embedding");
            assertThat(item.get("object").asText()).isEqualTo("embedding");
            assertThat(item.get("index").isInt()).isTrue();
            assertThat(item.get("index").asInt()).isEqualTo(i);
            assertThat(item.get("embedding").isArray()).isTrue();
            assertThat(item.get("embedding").size()).isEqualTo(384);
            item.get("embedding").forEach(value -> assertThat(value.isNumber()).isTrue());
            double norm = 0;
            for (float value : floats(item.get("embedding"))) {
                norm += value * value;
            }
            assertThat(norm).as("normalised").isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
        JsonNode usage = response.get("usage");
        assertThat(fieldNames(usage)).containsExactlyInAnyOrder("prompt_tokens", "total_tokens");
        // [CLS] hello world [SEP] and [CLS] second input [SEP]
        assertThat(usage.get("prompt_tokens").asLong()).isEqualTo(8);
        assertThat(usage.get("total_tokens").asLong()).isEqualTo(8);
    }

    @Test
    void aSingleStringIsOneInput() throws Exception {
        ObjectNode request = MAPPER.createObjectNode().put("model", MODEL).put("input", Sentences.SHORT);
        JsonNode response = embeddings(request);
        assertThat(response.get("data").size()).isEqualTo(1);
        assertThat(DirectEmbeddings.cosine(floats(response.get("data").get(0).get("embedding")),
                direct.embed(Sentences.SHORT))).isGreaterThanOrEqualTo(SAME);
    }

    @Test
    void tokenIdsGiveTheSameEmbeddingsAsTheirText() throws Exception {
        long[] ids = direct.tokenIds(Sentences.SHORT);
        ObjectNode single = MAPPER.createObjectNode().put("model", MODEL);
        ArrayNode flat = single.putArray("input");
        for (long id : ids) {
            flat.add(id);
        }
        JsonNode one = embeddings(single);
        assertThat(one.get("data").size()).isEqualTo(1);
        assertThat(one.get("usage").get("prompt_tokens").asLong()).isEqualTo(ids.length);
        float[] expected = direct.embed(Sentences.SHORT);
        assertThat(DirectEmbeddings.cosine(floats(one.get("data").get(0).get("embedding")), expected))
                .isGreaterThanOrEqualTo(SAME);

        ObjectNode nested = MAPPER.createObjectNode().put("model", MODEL);
        ArrayNode sequences = nested.putArray("input");
        sequences.add(flat.deepCopy());
        ArrayNode hello = sequences.addArray();
        hello.add(101).add(7592).add(2088).add(102);
        JsonNode two = embeddings(nested);
        assertThat(two.get("data").size()).isEqualTo(2);
        assertThat(DirectEmbeddings.cosine(floats(two.get("data").get(0).get("embedding")), expected))
                .isGreaterThanOrEqualTo(EXACT);
        assertThat(DirectEmbeddings.cosine(floats(two.get("data").get(1).get("embedding")),
                direct.embedTokens(new long[] { 101, 7592, 2088, 102 }))).isGreaterThanOrEqualTo(EXACT);
    }

    @Test
    void base64IsLittleEndianFloat32OfTheSameValues() throws Exception {
        ObjectNode asFloats = request(Sentences.SHORT, "hello world");
        ObjectNode asBase64 = request(Sentences.SHORT, "hello world").put("encoding_format", "base64");
        JsonNode floatResponse = embeddings(asFloats.put("encoding_format", "float"));
        JsonNode base64Response = embeddings(asBase64);
        for (int i = 0; i < 2; i++) {
            JsonNode encoded = base64Response.get("data").get(i).get("embedding");
            assertThat(encoded.isTextual()).isTrue();
            ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded.asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] decoded = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(decoded);
            assertThat(decoded).containsExactly(floats(floatResponse.get("data").get(i).get("embedding")));
        }
    }

    @Test
    void dimensionsEqualToTheModelsSizeAreAccepted() throws Exception {
        JsonNode response = embeddings(request("hello world").put("dimensions", 384));
        assertThat(response.get("data").get(0).get("embedding").size()).isEqualTo(384);
    }

    @Test
    void modelsListTheServedModel() throws Exception {
        JsonNode list = MAPPER.readTree(given().get("/v1/models").then().statusCode(200)
                .contentType(ContentType.JSON).extract().asString());
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("data").size()).isEqualTo(1);
        JsonNode model = list.get("data").get(0);
        assertThat(fieldNames(model)).containsExactly("id", "object", "created", "owned_by");
        assertThat(model.get("id").asText()).isEqualTo(MODEL);
        assertThat(model.get("object").asText()).isEqualTo("model");
        assertThat(model.get("created").asLong()).isPositive();
        assertThat(model.get("owned_by").asText()).isEqualTo("zeroserve");
        assertThat(MAPPER.readTree(given().get("/v1/models/" + MODEL).then().statusCode(200).extract().asString()))
                .isEqualTo(model);
        assertOpenAiError(given().get("/v1/models/text-embedding-3-small"), 404, "model", "model_not_found",
                "text-embedding-3-small");
    }

    @Test
    void successesAndTokensAreCountedUnderTheOpenAiProtocol() throws Exception {
        String labels = "protocol=\"openai\"";
        double successes = Metrics.sum("zeroserve_request_success_total", labels);
        double tokenSum = Metrics.sum("zeroserve_request_tokens_sum", labels);
        double tokenCount = Metrics.sum("zeroserve_request_tokens_count", labels);
        embeddings(request("hello world", "hello"));
        assertThat(Metrics.sum("zeroserve_request_success_total", labels) - successes).isEqualTo(1);
        assertThat(Metrics.sum("zeroserve_request_tokens_count", labels) - tokenCount).isEqualTo(1);
        assertThat(Metrics.sum("zeroserve_request_tokens_sum", labels) - tokenSum).isEqualTo(7);
        double failures = Metrics.sum("zeroserve_request_failure_total", labels + ",reason=\"invalid\"");
        post(request("").toString());
        assertThat(Metrics.sum("zeroserve_request_failure_total", labels + ",reason=\"invalid\"") - failures)
                .isEqualTo(1);
    }

    @Test
    void everyBadInputIsA400InOpenAisShape() throws Exception {
        String model = "{\"model\":\"" + MODEL + "\"";
        StringBuilder tooMany = new StringBuilder(model + ",\"input\":[");
        for (int i = 0; i < 129; i++) {
            tooMany.append(i > 0 ? "," : "").append("\"text ").append(i).append('"');
        }
        String tooManyInputs = tooMany.append("]}").toString();
        String tooLongText = model + ",\"input\":[\"short\",\"" + "word ".repeat(300) + "\"]}";
        String tooManyIds = model + ",\"input\":[101" + ",2773".repeat(300) + "]}";
        // body, param, what the message says
        String[][] cases = {
            { model + ",\"input\":\"\"}", "input", "empty string" },
            { model + ",\"input\":[\"fine\",\"\"]}", "input", "input[1] is an empty string" },
            { model + ",\"input\":[]}", "input", "empty array" },
            { model + ",\"input\":[[]]}", "input", "input[0] is an empty array" },
            { model + "}", "input", "'input' is missing" },
            { model + ",\"input\":null}", "input", "not null" },
            { model + ",\"input\":42}", "input", "not an integer" },
            { model + ",\"input\":[\"a\",3]}", "input", "input[1] is an integer (3) in an array of strings" },
            { model + ",\"input\":[\"a\",{\"text\":\"b\"}]}", "input", "input[1] is an object" },
            { model + ",\"input\":[\"a\",[101,102]]}", "input", "input[1] is an array" },
            { model + ",\"input\":[[101,102],\"a\"]}", "input", "input[1] is a string" },
            { model + ",\"input\":[101,\"a\"]}", "input", "input[1] is a string" },
            { model + ",\"input\":[101,1.5]}", "input", "input[1] is a number (1.5)" },
            { model + ",\"input\":[true]}", "input", "input[0] is a boolean" },
            { model + ",\"input\":[null]}", "input", "input[0] is null" },
            { model + ",\"input\":[101,30522,102]}", "input", "input[0][1] = 30522 is not a token id" },
            { model + ",\"input\":[[101,102],[101,-1]]}", "input", "input[1][1] = -1 is not a token id" },
            { model + ",\"input\":[101,99999999999999999999]}", "input", "input[1] is an integer" },
            { tooManyInputs, "input", "129 inputs in one request; at most 128" },
            { tooLongText, "input", "input[1] has more than the 256 tokens" },
            { tooManyIds, "input", "input[0] has 301 tokens, more than the 256" },
            { model + ",\"input\":\"a\",\"encoding_format\":\"md5\"}", "encoding_format",
                "'encoding_format' = \"md5\"" },
            { model + ",\"input\":\"a\",\"dimensions\":128}", "dimensions",
                "384 dimensions and cannot make other sizes" },
            { model + ",\"input\":\"a\",\"dimensions\":0}", "dimensions", "positive integer" },
            { model + ",\"input\":\"a\",\"dimensions\":\"384\"}", "dimensions", "positive integer" },
            { "{\"input\":\"a\"}", "model", "'model' must be given" },
            { model + ",\"input\":\"a\"", null, "not valid JSON" },
            { "[\"a\"]", null, "must be a JSON object" },
            { "", null, "must be a JSON object" },
        };
        for (String[] bad : cases) {
            assertBadRequest(bad[0], bad[1], bad[2]);
        }
        assertOpenAiError(post("{\"model\":\"text-embedding-ada-002\",\"input\":\"a\"}"), 404, "model",
                "model_not_found", "text-embedding-ada-002");
    }

    @Test
    void wrongMethodAndOversizedBodyAreAnsweredInOpenAisShape() throws Exception {
        assertOpenAiError(given().get("/v1/embeddings"), 405, null, null, "");
        RawHttp.RawResponse response = RawHttp.postHeadersOnly(base, "/v1/embeddings", 64L * 1024 * 1024 + 1);
        assertThat(response.head()).startsWith("HTTP/1.1 413");
        JsonNode error = MAPPER.readTree(response.body()).get("error");
        assertThat(fieldNames(error)).containsExactlyInAnyOrder("message", "type", "param", "code");
        assertThat(error.get("message").asText()).contains("exceeds the limit of 67108864 bytes");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void theTensorApiKeepsItsOwnErrorShape() throws Exception {
        Response response = given().contentType(ContentType.JSON).body("{\"inputs\":[]}")
                .post("/v2/models/text-embedding-ada-002/infer");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(MAPPER.readTree(response.asString()).get("error").isTextual()).isTrue();
    }
}
