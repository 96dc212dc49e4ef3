package dev.zeroserve.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ServerReadyRequest;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcChannels;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * A tokenizer that loads after the model: every readiness endpoint says not ready until it has, and an embeddings
 * request before it is refused at once (the event loop never waits for it). The tokenizer file is a named pipe that
 * the loader's read blocks on until the test writes the bundled tokenizer into it.
 */
@QuarkusTest
@TestProfile(ServerHealthTest.SlowTokenizer.class)
class ServerHealthTest {
    private static final String EMBEDDINGS = "{\"model\": \"" + BundledModelRequests.MODEL + "\", \"input\": \"hi\"}";

    public static class SlowTokenizer implements QuarkusTestProfile {
        static final Path PIPE = pipe();

        private static Path pipe() {
            try {
                Path pipe = Files.createTempDirectory("zeroserve-slow-tokenizer").resolve("tokenizer.json");
                Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start();
                if (mkfifo.waitFor() != 0) {
                    throw new IllegalStateException("mkfifo " + pipe + " failed");
                }
                return pipe;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zeroserve.embeddings.tokenizer-uri", "file:" + PIPE);
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void everyReadinessEndpointWaitsForTheTokenizerAndEmbeddingsAreRefusedUntilItLoads() throws Exception {
        String modelReady = "/v2/models/" + BundledModelRequests.MODEL + "/ready";
        Await.until(Duration.ofSeconds(120), () -> given().get(modelReady).statusCode() == 200);
        given().get(modelReady).then().statusCode(200);

        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'model-ready' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'tokenizer-loaded' }.status", equalTo("DOWN"));
        given().get("/v2/health/ready").then().statusCode(503).body(containsString("tokenizer is still loading"));
        given().contentType(ContentType.JSON).body(EMBEDDINGS).post("/v1/embeddings").then().statusCode(503)
                .header("Retry-After", "1").body("error.message", containsString("tokenizer is still loading"));
        ManagedChannel channel = GrpcChannels.open(base);
        try {
            assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(ServingStatus.NOT_SERVING);

            try (InputStream tokenizer = getClass().getClassLoader()
                    .getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json");
                    OutputStream pipe = Files.newOutputStream(SlowTokenizer.PIPE)) {
                tokenizer.transferTo(pipe);
            }
            Await.modelReady();

            assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
            assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                    .isEqualTo(ServingStatus.SERVING);
        } finally {
            GrpcChannels.close(channel);
        }
        given().get("/v2/health/ready").then().statusCode(200);
        given().contentType(ContentType.JSON).body(EMBEDDINGS).post("/v1/embeddings").then().statusCode(200)
                .body("data[0].embedding.size()", equalTo(384));
    }
}
