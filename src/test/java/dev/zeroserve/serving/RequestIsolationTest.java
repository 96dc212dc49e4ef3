package dev.zeroserve.serving;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.DirectEmbeddings;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.Sentences;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The bundled int8 model at defaults: its graph quantizes activations per call, so the server runs every row alone,
 * and each row of every v2 request, whatever runs beside it, equals that row run alone in ONNX Runtime.
 */
@QuarkusTest
class RequestIsolationTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final double MAX_DIFFERENCE = 1e-5;
    private static OrtSession direct;

    @TestHTTPResource("/")
    URL base;

    @BeforeAll
    static void openDirect() throws Exception {
        direct = DirectOnnxRuntime.openBundledModel();
    }

    @AfterAll
    static void closeDirect() throws Exception {
        direct.close();
    }

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    @Test
    void theMetadataAndTheStartUpSayWhyRowsRunAlone() throws Exception {
        JsonNode properties = MAPPER.readTree(given().get("/v2/models/" + BundledModelRequests.MODEL).then()
                .statusCode(200).extract().asString()).get("properties");
        assertThat(properties.get("batching").asText()).isEqualTo("single_row");
        assertThat(properties.get("batching_reason").asText()).contains("DynamicQuantizeLinear",
                "zeroserve.batching.policy=batch");
    }

    /** Row r of a request: the 16-token sentence with its words rotated by {@code seed + r}. */
    private static long[] row(int seed) {
        long[] ids = BundledModelRequests.tokenIds(16);
        long[] words = Arrays.copyOfRange(ids, 1, 15);
        for (int i = 0; i < words.length; i++) {
            ids[i + 1] = words[(i + seed) % words.length];
        }
        return ids;
    }

    private static String request(int seed, int rows) {
        long[][] values = new long[3][];
        long[] ids = new long[16 * rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row(seed + r), 0, ids, 16 * r, 16);
        }
        long[][] single = BundledModelRequests.valuesFor(ids);
        values[0] = single[0];
        values[1] = single[1];
        values[2] = single[2];
        return BundledModelRequests.json(values).replace("\"shape\":[1," + ids.length + "]",
                "\"shape\":[" + rows + ",16]");
    }

    @Test
    void everyRowOfConcurrentSingleAndMultiRowRequestsEqualsItselfRunAlone() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        int[] seeds = new int[24];
        int[] rows = new int[24];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = i % 14;
            rows[i] = 1 + i % 3;
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v2/models/"
                    + BundledModelRequests.MODEL + "/infer")).POST(HttpRequest.BodyPublishers.ofString(
                            request(seeds[i], rows[i]))).build(), HttpResponse.BodyHandlers.ofString()));
        }
        double worst = 0;
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode output = MAPPER.readTree(response.body()).get("outputs").get(0);
            assertThat(output.get("shape").get(0).asInt()).isEqualTo(rows[i]);
            JsonNode data = output.get("data");
            for (int r = 0; r < rows[i]; r++) {
                float[] alone = DirectOnnxRuntime.lastHiddenState(direct, row(seeds[i] + r));
                for (int v = 0; v < alone.length; v++) {
                    worst = Math.max(worst, Math.abs(data.get(r * alone.length + v).floatValue() - alone[v]));
                }
            }
        }
        System.out.printf("largest difference to the row run alone: %.3g%n", worst);
        assertThat(worst).isLessThanOrEqualTo(MAX_DIFFERENCE);
    }

    @Test
    void everyTextOfConcurrentSingleAndMultiTextEmbeddingRequestsEqualsItselfEmbeddedAlone() throws Exception {
        DirectEmbeddings embeddings = DirectEmbeddings.shared();
        List<String> texts = new ArrayList<>(Sentences.FIXED);
        texts.add("hello world");
        texts.add(Sentences.LONG);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<List<String>> requests = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            List<String> inputs = new ArrayList<>();
            for (int t = 0; t <= i % 4; t++) {
                inputs.add(texts.get((i + 3 * t) % texts.size()));
            }
            requests.add(inputs);
            String body = MAPPER.createObjectNode().put("model", BundledModelRequests.MODEL)
                    .set("input", MAPPER.valueToTree(inputs)).toString();
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/embeddings"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        double lowest = 1;
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get();
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode data = MAPPER.readTree(response.body()).get("data");
            for (int t = 0; t < requests.get(i).size(); t++) {
                JsonNode values = data.get(t).get("embedding");
                float[] served = new float[values.size()];
                for (int v = 0; v < served.length; v++) {
                    served[v] = values.get(v).floatValue();
                }
                lowest = Math.min(lowest, DirectEmbeddings.cosine(served, embeddings.embed(requests.get(i).get(t))));
            }
        }
        System.out.printf("lowest cosine to the text embedded alone: %.7f%n", lowest);
        assertThat(lowest).isGreaterThanOrEqualTo(0.99999);
    }
}
