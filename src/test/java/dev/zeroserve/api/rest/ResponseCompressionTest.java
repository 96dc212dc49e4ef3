package dev.zeroserve.api.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * As Triton: inference answers are compressed for a client that accepts it, and say they vary with Accept-Encoding;
 * metadata and health never are, as tritonclient.http.aio reads them without decompressing.
 */
@QuarkusTest
class ResponseCompressionTest {
    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    @Test
    void metadataAndHealthAreNeverCompressed() {
        for (String path : new String[] { "/v2", "/v2/models/" + BundledModelRequests.MODEL, "/v2/health/ready",
                "/v2/models/" + BundledModelRequests.MODEL + "/ready", "/v1/models", "/q/health/ready" }) {
            given().header("Accept-Encoding", "gzip, deflate").get(path).then().statusCode(200)
                    .header("Content-Encoding", nullValue());
        }
    }

    @Test
    void inferenceAnswersAreCompressedWhenAcceptedAndSayTheyVary() {
        String body = BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16)));
        given().header("Accept-Encoding", "gzip").contentType(ContentType.JSON).body(body)
                .post("/v2/models/" + BundledModelRequests.MODEL + "/infer").then().statusCode(200)
                .header("Content-Encoding", equalTo("gzip")).header("Vary", equalTo("Accept-Encoding"));
        given().header("Accept-Encoding", "gzip").contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"hello\"}").post("/v1/embeddings").then()
                .statusCode(200).header("Content-Encoding", equalTo("gzip")).header("Vary", equalTo("Accept-Encoding"));
    }
}
