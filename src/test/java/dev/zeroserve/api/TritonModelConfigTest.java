package dev.zeroserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelConfig;
import dev.zeroserve.api.grpc.v2.ModelConfigRequest;
import dev.zeroserve.api.grpc.v2.ModelInstanceGroup;
import dev.zeroserve.api.grpc.v2.ModelStatistics;
import dev.zeroserve.api.grpc.v2.ModelStatisticsRequest;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcClientTestBase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Triton's model configuration and statistics, over REST and gRPC, for the bundled model with its defaults. */
@QuarkusTest
class TritonModelConfigTest extends GrpcClientTestBase {
    private static final String MODEL = BundledModelRequests.MODEL;

    @Test
    void theConfigurationDescribesTheServedModel() {
        // The int8 model runs row by row (its rows are coupled): no dynamic batching, one execution per core.
        given().get("/v2/models/" + MODEL + "/config").then().statusCode(200)
                .body("name", equalTo(MODEL)).body("platform", equalTo("onnxruntime_onnx"))
                .body("backend", equalTo("onnxruntime")).body("max_batch_size", equalTo(1))
                .body("input.name", contains("input_ids", "attention_mask", "token_type_ids"))
                .body("input[0].data_type", equalTo("TYPE_INT64")).body("input[0].dims", contains(-1))
                .body("output[0].name", equalTo("last_hidden_state")).body("output[0].dims", contains(-1, 384))
                .body("instance_group[0].kind", equalTo("KIND_CPU"))
                .body("instance_group[0].count", equalTo(Runtime.getRuntime().availableProcessors()))
                .body("dynamic_batching", nullValue())
                .body("optimization", nullValue())
                .body("parameters.execution_provider.string_value", equalTo("cpu"))
                .body("parameters.batching.string_value", equalTo("single_row"));
        given().get("/v2/models/" + MODEL + "/versions/1/config").then().statusCode(200);
        given().get("/v2/models/other/config").then().statusCode(404);

        ModelConfig config = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .modelConfig(ModelConfigRequest.newBuilder().setName(MODEL).build()).getConfig();
        assertThat(config.getMaxBatchSize()).isEqualTo(1);
        assertThat(config.getInput(0).getDimsList()).containsExactly(-1L);
        assertThat(config.getOutput(0).getDimsList()).containsExactly(-1L, 384L);
        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
        assertThat(config.hasDynamicBatching()).isFalse();
    }

    @Test
    void theStatisticsCountRealRequests() {
        String body = BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16)));
        given().contentType(ContentType.JSON).body(body).post("/v2/models/" + MODEL + "/infer").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{}").post("/v2/models/" + MODEL + "/infer").then().statusCode(400);
        given().get("/v2/models/" + MODEL + "/stats").then().statusCode(200)
                .body("model_stats[0].name", equalTo(MODEL)).body("model_stats[0].version", equalTo("1"))
                .body("model_stats[0].inference_count", greaterThan(0))
                .body("model_stats[0].execution_count", greaterThan(0))
                .body("model_stats[0].last_inference", greaterThan(0L))
                .body("model_stats[0].inference_stats.success.count", greaterThan(0))
                .body("model_stats[0].inference_stats.fail.count", greaterThan(0))
                .body("model_stats[0].inference_stats.queue.count", greaterThan(0))
                .body("model_stats[0].inference_stats.compute_infer.ns", greaterThan(0));
        given().get("/v2/models/stats").then().statusCode(200).body("model_stats[0].name", equalTo(MODEL));
        // The bundled model runs every row alone: one batch size, 1, counting each successful execution.
        var before = given().get("/v2/models/" + MODEL + "/stats").then().statusCode(200).extract().jsonPath();
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON).body(body).post("/v2/models/" + MODEL + "/infer").then()
                    .statusCode(200);
        }
        var after = given().get("/v2/models/" + MODEL + "/stats").then().statusCode(200).extract().jsonPath();
        assertThat(after.getList("model_stats[0].batch_stats.batch_size", Integer.class)).containsExactly(1);
        assertThat(after.getLong("model_stats[0].batch_stats[0].compute_infer.count")
                - before.getLong("model_stats[0].batch_stats[0].compute_infer.count")).isEqualTo(3);
        assertThat(after.getLong("model_stats[0].batch_stats[0].compute_input.ns")).isPositive();

        ModelStatistics statistics = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .modelStatistics(ModelStatisticsRequest.newBuilder().setName(MODEL).build()).getModelStats(0);
        assertThat(statistics.getInferenceCount()).isPositive();
        assertThat(statistics.getInferenceStats().getSuccess().getCount()).isPositive();
        assertThat(statistics.getInferenceStats().getComputeInfer().getNs()).isPositive();
        assertThat(statistics.getBatchStatsList()).singleElement().satisfies(batch -> {
            assertThat(batch.getBatchSize()).isEqualTo(1);
            assertThat(batch.getComputeInfer().getCount())
                    .isEqualTo(after.getLong("model_stats[0].batch_stats[0].compute_infer.count"));
            assertThat(batch.getComputeOutput().getNs()).isPositive();
        });
    }

    @Test
    void theExtensionsAreListedAndTheOthersNamed() {
        given().get("/v2").then().statusCode(200)
                .body("extensions", hasItems("binary_tensor_data", "parameters", "model_configuration", "statistics"));
        given().post("/v2/repository/index").then().statusCode(501)
                .body("error", containsString("Triton's model_repository extension is not implemented"));
        given().get("/v2/systemsharedmemory/status").then().statusCode(501)
                .body("error", containsString("system_shared_memory"));
        given().get("/v2/models/" + MODEL + "/trace/setting").then().statusCode(501)
                .body("error", containsString("trace"));
    }
}
