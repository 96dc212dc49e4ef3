package dev.zeroserve.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BatchingProfiles;
import dev.zeroserve.testing.Metrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * One worker that holds its batch open for a second and a queue of two: requests for other outputs (which cannot
 * join that batch) fill the queue, the next is refused at once, and a short per-request timeout expires unrun.
 */
@QuarkusTest
@TestProfile(BatchingProfiles.Backpressure.class)
class BackpressureIntegrationTest {
    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void awaitModel() {
        Await.modelReady();
    }

    @Test
    void aFullQueueIsRefusedAtOnceWithRetryAfter() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double rejectedBefore = Metrics.sum("zeroserve_request_failure_total", "reason=\"rejected\"");
        CompletableFuture<HttpResponse<String>> running = BatchingIntegrationTest.send(client, base,
                BatchingIntegrationTest.request(1, "out_INT8", ""));
        Thread.sleep(200);
        CompletableFuture<HttpResponse<String>> queuedA = BatchingIntegrationTest.send(client, base,
                BatchingIntegrationTest.request(2, "out_INT16", ""));
        CompletableFuture<HttpResponse<String>> queuedB = BatchingIntegrationTest.send(client, base,
                BatchingIntegrationTest.request(3, "out_INT32", ""));
        Thread.sleep(200);
        long start = System.nanoTime();
        HttpResponse<String> refused = BatchingIntegrationTest.send(client, base,
                BatchingIntegrationTest.request(4, "out_INT64", "")).get();
        long refusedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(refused.body()).contains("queue is full");
        assertThat(refusedMillis).as("refused without waiting for the queue").isLessThan(500);
        assertThat(running.get().statusCode()).isEqualTo(200);
        assertThat(queuedA.get().statusCode()).isEqualTo(200);
        assertThat(queuedB.get().statusCode()).isEqualTo(200);
        assertThat(Metrics.sum("zeroserve_request_failure_total", "reason=\"rejected\"") - rejectedBefore)
                .isEqualTo(1);
    }

    @Test
    void aRequestWhoseTimeoutPassesInTheQueueGets504AndNeverRuns() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", BatchingIntegrationTest.MODEL_LABEL);
        CompletableFuture<HttpResponse<String>> running = BatchingIntegrationTest.send(client, base,
                BatchingIntegrationTest.request(1, "out_INT8", ""));
        Thread.sleep(200);
        long start = System.nanoTime();
        HttpResponse<String> expired = BatchingIntegrationTest.send(client, base,
                BatchingIntegrationTest.request(2, "out_INT16", "\"timeout\":200000")).get();
        long expiredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(expired.statusCode()).isEqualTo(504);
        assertThat(expired.body()).contains("deadline passed before it ran");
        assertThat(expiredMillis).as("answered when its timeout passed, not when the worker freed up")
                .isLessThan(700);
        assertThat(running.get().statusCode()).isEqualTo(200);
        assertThat(Metrics.sum("zeroserve_execution_count_total", BatchingIntegrationTest.MODEL_LABEL)
                - executionsBefore).as("only the running request was executed").isEqualTo(1);
    }
}
