package dev.zeroserve.api.openai;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BatchingProfiles;
import dev.zeroserve.testing.EmbeddingsRequests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** A model without a tokenizer: /v1/models lists it, /v1/embeddings says why it cannot embed text. */
@QuarkusTest
@TestProfile(BatchingProfiles.Batching.class)
class EmbeddingsWithoutTokenizerTest {
    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    @Test
    void embeddingsAreRefusedWithTheReasonAndTheModelIsStillListed() throws Exception {
        EmbeddingsRequests.assertOpenAiError(EmbeddingsRequests.post("{\"model\":\"" + BatchingProfiles.MODEL
                + "\",\"input\":\"hello\"}"), 400, "model", null, "has no tokenizer");
        EmbeddingsRequests.assertOpenAiError(EmbeddingsRequests.post("{\"model\":\"all-minilm-l6-v2\","
                + "\"input\":\"hello\"}"), 404, "model", "model_not_found", "all-minilm-l6-v2");
        String models = given().get("/v1/models").then().statusCode(200).extract().asString();
        assertThat(EmbeddingsRequests.MAPPER.readTree(models).get("data").get(0).get("id").asText())
                .isEqualTo(BatchingProfiles.MODEL);
    }
}
