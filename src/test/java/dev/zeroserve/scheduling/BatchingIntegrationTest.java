package dev.zeroserve.scheduling;

import static dev.zeroserve.testing.TypedInputsRequests.MODEL_LABEL;
import static dev.zeroserve.testing.TypedInputsRequests.request;
import static dev.zeroserve.testing.TypedInputsRequests.send;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BatchingProfiles;
import dev.zeroserve.testing.Metrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** Concurrent requests over real HTTP share batches, each gets its own answer, and the metrics show it. */
@QuarkusTest
@TestProfile(BatchingProfiles.Batching.class)
class BatchingIntegrationTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    @Test
    void concurrentRequestsShareBatchesAndEachGetsItsOwnRows() throws Exception {
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL);
        double inferencesBefore = Metrics.sum("zeroserve_inference_count_total", MODEL_LABEL);
        double successesBefore = Metrics.sum("zeroserve_request_success_total", MODEL_LABEL);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int requests = 8;
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            responses.add(send(client, base, request(100 * i, "out_INT32", "")));
        }
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = responses.get(i).get();
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode output = MAPPER.readTree(response.body()).get("outputs").get(0);
            assertThat(output.get("shape").toString()).isEqualTo("[2,3]");
            int seed = 100 * i;
            assertThat(output.get("data").toString()).as("response %d is its own", i).isEqualTo("[" + seed + ","
                    + (seed + 1) + "," + (seed + 2) + "," + (seed + 3) + "," + (seed + 4) + "," + (seed + 5) + "]");
        }
        double executions = Metrics.sum("zeroserve_execution_count_total", MODEL_LABEL) - executionsBefore;
        double inferences = Metrics.sum("zeroserve_inference_count_total", MODEL_LABEL) - inferencesBefore;
        assertThat(inferences).isEqualTo(2.0 * requests);
        assertThat(executions).as("batches larger than one request formed").isLessThan(requests);
        assertThat(Metrics.sum("zeroserve_request_success_total", MODEL_LABEL + ",protocol=\"rest\"")
                - successesBefore).isEqualTo(requests);
        assertThat(Metrics.sum("zeroserve_batch_size_count", MODEL_LABEL)).isPositive();
    }

    @Test
    void everyMeterIsPublished() {
        given().body(request(7, "out_BOOL", "")).post("/v2/models/" + BatchingProfiles.MODEL + "/infer").then()
                .statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("zeroserve_request_duration_seconds_bucket", "zeroserve_queue_duration_seconds",
                "zeroserve_compute_input_duration_seconds", "zeroserve_compute_infer_duration_seconds",
                "zeroserve_compute_output_duration_seconds", "zeroserve_batch_size_bucket", "zeroserve_queue_depth",
                "zeroserve_inflight_requests", "zeroserve_model_load_duration_seconds",
                "zeroserve_model_info{execution_provider=\"cpu\"");
    }
}
