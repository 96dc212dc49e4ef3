package dev.zeroserve.api.openai;

import static dev.zeroserve.testing.EmbeddingsRequests.MAPPER;
import static dev.zeroserve.testing.EmbeddingsRequests.SAME;
import static dev.zeroserve.testing.EmbeddingsRequests.SAME_CALL_INT8;
import static dev.zeroserve.testing.EmbeddingsRequests.embeddings;
import static dev.zeroserve.testing.EmbeddingsRequests.floats;
import static dev.zeroserve.testing.EmbeddingsRequests.request;
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

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.DirectEmbeddings;
import dev.zeroserve.testing.EmbeddingsProfiles;
import dev.zeroserve.testing.EmbeddingsRequests;
import dev.zeroserve.testing.Metrics;
import dev.zeroserve.testing.Sentences;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Concurrent embedding requests share batches by length bucket; truncation and cut sizes when configured. */
@QuarkusTest
@TestProfile(EmbeddingsProfiles.BatchingTruncating.class)
class EmbeddingsBatchingTest {
    static final String MODEL_LABEL = "model=\"" + EmbeddingsRequests.MODEL + "\"";
    static final List<String> SHORT = List.of("The cat sits on the mat.", Sentences.SHORT,
            "How do I reset my password?", "Paris is the capital of France.");
    static final List<String> LONG = List.of(Sentences.LONG, Sentences.LONG + " It also works offline.",
            "In summary, " + Sentences.LONG, Sentences.LONG.replace("numbers", "floating-point values"));
    private static DirectEmbeddings direct;

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() throws Exception {
        Await.modelReady();
        direct = DirectEmbeddings.shared();
    }

    @Test
    void concurrentRequestsShareOneCallPerLengthBucketAndEachGetsItsOwnEmbedding() throws Exception {
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL);
        double rowsBefore = Metrics.sum("zeroserve_inference_count_total", MODEL_LABEL);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < SHORT.size(); i++) {
            texts.add(SHORT.get(i));
            texts.add(LONG.get(i));
        }
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (String text : texts) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/embeddings"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(request(text).toString())).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<float[]> served = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(200);
            served.add(floats(MAPPER.readTree(response.get().body()).get("data").get(0).get("embedding")));
        }
        assertThat(Metrics.sum("zeroserve_inference_count_total", MODEL_LABEL) - rowsBefore).isEqualTo(8);
        assertThat(Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL) - executionsBefore)
                .as("one call for the short texts, one for the long").isEqualTo(2);

        List<float[]> shortCall = direct.embedBatch(SHORT.stream().map(direct::tokenIds).toList());
        List<float[]> longCall = direct.embedBatch(LONG.stream().map(direct::tokenIds).toList());
        for (int i = 0; i < SHORT.size(); i++) {
            assertThat(DirectEmbeddings.cosine(served.get(2 * i), shortCall.get(i)))
                    .as("short %d against the short texts padded to the longest of them", i)
                    .isGreaterThanOrEqualTo(SAME);
            assertThat(DirectEmbeddings.cosine(served.get(2 * i + 1), longCall.get(i)))
                    .as("long %d against the long texts run together", i).isGreaterThanOrEqualTo(SAME);
            assertThat(DirectEmbeddings.cosine(served.get(2 * i), direct.embed(SHORT.get(i))))
                    .as("short %d alone", i).isGreaterThanOrEqualTo(SAME_CALL_INT8);
            assertThat(DirectEmbeddings.cosine(served.get(2 * i + 1), direct.embed(LONG.get(i))))
                    .as("long %d alone", i).isGreaterThanOrEqualTo(SAME_CALL_INT8);
        }
        assertThat(Metrics.sum("zeroserve_batch_size_sum", MODEL_LABEL)).isGreaterThanOrEqualTo(8);
    }

    @Test
    void longInputsAreCutToTheMaximumLengthWhenTruncationIsOn() throws Exception {
        String tooLong = "word ".repeat(300) + "end";
        JsonNode response = embeddings(request(tooLong));
        assertThat(response.get("usage").get("prompt_tokens").asLong()).isEqualTo(DirectEmbeddings.MAX_TOKENS);
        assertThat(DirectEmbeddings.cosine(floats(response.get("data").get(0).get("embedding")),
                direct.embed(tooLong))).isGreaterThanOrEqualTo(SAME);
        long[] ids = new long[300];
        Arrays.fill(ids, 2773);
        JsonNode fromIds = embeddings(MAPPER.createObjectNode().put("model", EmbeddingsRequests.MODEL)
                .set("input", MAPPER.valueToTree(ids)));
        assertThat(fromIds.get("usage").get("prompt_tokens").asLong()).isEqualTo(DirectEmbeddings.MAX_TOKENS);
    }

    @Test
    void configuredSmallerDimensionsKeepTheFirstValuesNormalisedAgain() throws Exception {
        JsonNode response = embeddings(request(Sentences.SHORT).put("dimensions", 128));
        float[] cut = floats(response.get("data").get(0).get("embedding"));
        assertThat(cut).hasSize(128);
        float[] expected = Arrays.copyOf(direct.embed(Sentences.SHORT), 128);
        assertThat(DirectEmbeddings.cosine(cut, expected)).isGreaterThanOrEqualTo(SAME);
        double norm = 0;
        for (float value : cut) {
            norm += value * value;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        EmbeddingsRequests.assertBadRequest("{\"model\":\"" + EmbeddingsRequests.MODEL + "\",\"input\":\"a\","
                + "\"dimensions\":100}", "dimensions", "can cut them to [128]");
    }
}
