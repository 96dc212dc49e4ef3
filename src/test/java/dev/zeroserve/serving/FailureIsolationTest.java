package dev.zeroserve.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.EmbeddingsProfiles;
import dev.zeroserve.testing.Metrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The bundled model batched across requests, which wait two seconds for company: a request with a token id outside
 * the vocabulary makes its execution fail in ONNX Runtime, and the batch is split until only that request fails.
 */
@QuarkusTest
@TestProfile(EmbeddingsProfiles.BatchingTruncating.class)
class FailureIsolationTest {
    private static final String MODEL_LABEL = "model=\"" + BundledModelRequests.MODEL + "\"";

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    private CompletableFuture<HttpResponse<String>> send(HttpClient client, long[] ids) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v2/models/" + BundledModelRequests.MODEL
                + "/infer")).POST(HttpRequest.BodyPublishers.ofString(BundledModelRequests.json(
                        BundledModelRequests.valuesFor(ids)))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPoisonedRequestFailsAloneAndItsBatchMatesGetTheirAnswers() throws Exception {
        double splitsBefore = Metrics.sum("zeroserve_batch_split_count_total", MODEL_LABEL);
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> valid = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            valid.add(send(client, BundledModelRequests.tokenIds(16)));
        }
        long[] poison = BundledModelRequests.tokenIds(16);
        poison[5] = 30522; // one past the vocabulary
        CompletableFuture<HttpResponse<String>> poisoned = send(client, poison);
        for (int i = 0; i < 4; i++) {
            valid.add(send(client, BundledModelRequests.tokenIds(16)));
        }
        int failures = 0;
        for (CompletableFuture<HttpResponse<String>> response : valid) {
            failures += response.get().statusCode() == 200 ? 0 : 1;
        }
        HttpResponse<String> refused = poisoned.get();
        System.out.printf("valid requests failed: %d of %d; executions %.0f, splits %.0f%n", failures, valid.size(),
                Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL) - executionsBefore,
                Metrics.sum("zeroserve_batch_split_count_total", MODEL_LABEL) - splitsBefore);
        assertThat(failures).as("valid requests that failed").isZero();
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("ONNX Runtime could not run model");
        assertThat(Metrics.sum("zeroserve_batch_split_count_total", MODEL_LABEL) - splitsBefore)
                .as("the failed batch of nine was split").isGreaterThanOrEqualTo(1);
    }
}
