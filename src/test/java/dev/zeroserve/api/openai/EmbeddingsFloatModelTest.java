package dev.zeroserve.api.openai;

import static dev.zeroserve.testing.EmbeddingsRequests.MAPPER;
import static dev.zeroserve.testing.EmbeddingsRequests.floats;
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
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.DirectEmbeddings;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.EmbeddingsProfiles;
import dev.zeroserve.testing.Metrics;
import dev.zeroserve.testing.Sentences;
import dev.zeroserve.testing.TestModels;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * With a float model, whose rows do not share a quantization scale, every text's embedding from a padded, shared
 * batch equals its embedding computed alone.
 */
@QuarkusTest
@TestProfile(EmbeddingsProfiles.FloatModelBatching.class)
class EmbeddingsFloatModelTest {
    static final String MODEL = EmbeddingsProfiles.TOKEN_MIXER;
    static final String MODEL_LABEL = "model=\"" + MODEL + "\"";
    /** Requests of one to three texts, short and long, whose lengths differ inside each length bucket. */
    static final List<List<String>> REQUESTS = List.of(
            List.of("Hi.", Sentences.LONG),
            List.of(Sentences.SHORT),
            List.of("The cat sits on the mat.", "Paris is the capital of France.", Sentences.LONG + " Twice."),
            List.of("How do I reset my password?"),
            List.of("In summary, " + Sentences.LONG, "Ok."));

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    /** The text run alone through ONNX Runtime: one row, every position attended, mean of its vectors, unit length. */
    static float[] alone(OrtSession session, long[] ids) throws Exception {
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        float[] hidden = DirectOnnxRuntime.lastHiddenState(session, ids, mask, new long[] { 1, ids.length });
        int size = hidden.length / ids.length;
        float[] mean = new float[size];
        for (int t = 0; t < ids.length; t++) {
            for (int i = 0; i < size; i++) {
                mean[i] += hidden[t * size + i] / ids.length;
            }
        }
        double norm = 0;
        for (float value : mean) {
            norm += value * value;
        }
        for (int i = 0; i < size; i++) {
            mean[i] /= (float) Math.sqrt(norm);
        }
        return mean;
    }

    @Test
    void textsThatSharePaddedBatchesGetExactlyTheirStandAloneEmbeddings() throws Exception {
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL);
        double rowsBefore = Metrics.sum("zeroserve_inference_count_total", MODEL_LABEL);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (List<String> texts : REQUESTS) {
            ObjectNode body = MAPPER.createObjectNode().put("model", MODEL);
            ArrayNode input = body.putArray("input");
            texts.forEach(input::add);
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v1/embeddings"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int texts = REQUESTS.stream().mapToInt(List::size).sum();
        DirectEmbeddings tokenizer = DirectEmbeddings.shared();
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(TestModels.tokenMixer().toBytes(),
                new OrtSession.SessionOptions())) {
            for (int r = 0; r < REQUESTS.size(); r++) {
                HttpResponse<String> response = responses.get(r).get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                JsonNode data = MAPPER.readTree(response.body()).get("data");
                for (int i = 0; i < REQUESTS.get(r).size(); i++) {
                    String text = REQUESTS.get(r).get(i);
                    assertThat(DirectEmbeddings.cosine(floats(data.get(i).get("embedding")),
                            alone(session, tokenizer.tokenIds(text)))).as("request %d, text %d: %s", r, i, text)
                            .isGreaterThanOrEqualTo(0.99999);
                }
            }
        }
        assertThat(Metrics.sum("zeroserve_inference_count_total", MODEL_LABEL) - rowsBefore).isEqualTo(texts);
        assertThat(Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL) - executionsBefore)
                .as("one call per length bucket: 16 and 128 tokens").isEqualTo(2);
    }
}
