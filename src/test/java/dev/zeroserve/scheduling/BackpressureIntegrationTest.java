package dev.zeroserve.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.testing.BatchingProfiles;
import dev.zeroserve.testing.TestModels;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import dev.zeroserve.testing.Metrics;
import dev.zeroserve.testing.TypedInputsRequests;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * One worker that holds its batch open for two seconds and a queue of four rows: requests for other outputs (which
 * cannot join that batch) fill the queue, the next is refused at once, a short per-request timeout expires unrun, and
 * a request whose client goes away leaves the queue unrun.
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
        CompletableFuture<HttpResponse<String>> running = TypedInputsRequests.send(client, base,
                TypedInputsRequests.request(1, "out_INT8", ""));
        awaitHeldByTheWorker();
        CompletableFuture<HttpResponse<String>> queuedA = TypedInputsRequests.send(client, base,
                TypedInputsRequests.request(2, "out_INT16", ""));
        CompletableFuture<HttpResponse<String>> queuedB = TypedInputsRequests.send(client, base,
                TypedInputsRequests.request(3, "out_INT32", ""));
        awaitQueueDepth(4);
        long start = System.nanoTime();
        HttpResponse<String> refused = TypedInputsRequests.send(client, base,
                TypedInputsRequests.request(4, "out_INT64", "")).get();
        long refusedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        assertThat(refused.body()).contains("queue is full");
        assertThat(running).as("refused while the first request still holds the worker").isNotDone();
        assertThat(refusedMillis).as("refused without waiting for the queue").isLessThan(1500);
        assertThat(running.get().statusCode()).isEqualTo(200);
        assertThat(queuedA.get().statusCode()).isEqualTo(200);
        assertThat(queuedB.get().statusCode()).isEqualTo(200);
        assertThat(Metrics.sum("zeroserve_request_failure_total", "reason=\"rejected\"") - rejectedBefore)
                .isEqualTo(1);
    }

    @Test
    void aRequestWhoseTimeoutPassesInTheQueueGets504AndNeverRuns() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", TypedInputsRequests.MODEL_LABEL);
        CompletableFuture<HttpResponse<String>> running = TypedInputsRequests.send(client, base,
                TypedInputsRequests.request(1, "out_INT8", ""));
        awaitHeldByTheWorker();
        long start = System.nanoTime();
        HttpResponse<String> expired = TypedInputsRequests.send(client, base,
                TypedInputsRequests.request(2, "out_INT16", "\"timeout\":200000")).get();
        long expiredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(expired.statusCode()).isEqualTo(504);
        assertThat(expired.body()).contains("deadline passed before it ran");
        assertThat(running).as("answered when its timeout passed, not when the worker freed up").isNotDone();
        assertThat(expiredMillis).isLessThan(1500);
        assertThat(running.get().statusCode()).isEqualTo(200);
        assertThat(Metrics.sum("zeroserve_execution_count_total", TypedInputsRequests.MODEL_LABEL)
                - executionsBefore).as("only the running request was executed").isEqualTo(1);
    }

    /**
     * Waits until the one worker has taken the request just sent (its two rows in flight, none queued), where it waits
     * out the 2 s queue delay for company.
     */
    private static void awaitHeldByTheWorker() throws InterruptedException {
        awaitMetric("rows in flight", "zeroserve_inflight_requests", 2);
        awaitQueueDepth(0);
    }

    /** Waits (a few seconds at most) until the queue holds {@code rows} rows. */
    private static void awaitQueueDepth(double rows) throws InterruptedException {
        awaitMetric("rows queued", "zeroserve_queue_depth", rows);
    }

    /** Waits (a few seconds at most) until the meter named, or the failures labelled, reach {@code value}. */
    private static void awaitMetric(String what, String meterOrFailureLabels, double value)
            throws InterruptedException {
        String name = meterOrFailureLabels.startsWith("zeroserve_") ? meterOrFailureLabels
                : "zeroserve_request_failure_total";
        String labels = name.equals(meterOrFailureLabels) ? TypedInputsRequests.MODEL_LABEL : meterOrFailureLabels;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Metrics.sum(name, labels) != value && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(Metrics.sum(name, labels)).as(what).isEqualTo(value);
    }

    private static final String REST_CANCELLED = "protocol=\"rest\",reason=\"cancelled\"";
    private static final String GRPC_CANCELLED = "protocol=\"grpc\",reason=\"cancelled\"";

    /** The typed-inputs model's request over gRPC: every input [2, 3] of zeros (empty strings for BYTES). */
    private static ModelInferRequest grpcRequest(String output) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(BatchingProfiles.MODEL);
        for (DataType type : TestModels.ORT_TYPES) {
            if (type == DataType.FP16 || type == DataType.BF16) {
                continue;
            }
            request.addInputsBuilder().setName("in_" + type).setDatatype(type.name()).addShape(2).addShape(3);
            request.addRawInputContents(ByteString.copyFrom(new byte[6 * (type == DataType.BYTES
                    ? DataType.BYTES_LENGTH_PREFIX : type.byteSize())]));
        }
        return request.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(output)).build();
    }

    @Test
    void requestsWhoseClientsGoAwayLeaveTheQueueUnrunOverRestAndGrpc() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        double executionsBefore = Metrics.sum("zeroserve_execution_count_total", TypedInputsRequests.MODEL_LABEL);
        double restBefore = Metrics.sum("zeroserve_request_failure_total", REST_CANCELLED);
        double grpcBefore = Metrics.sum("zeroserve_request_failure_total", GRPC_CANCELLED);
        // Connected before the clock starts: a first gRPC channel can take longer than the worker's 2 s hold.
        ManagedChannel channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                .build();
        try {
            channel.getState(true);
            // Each part holds the one worker with a request that waits 2 s for company, so the next one queues.
            CompletableFuture<HttpResponse<String>> running = TypedInputsRequests.send(client, base,
                    TypedInputsRequests.request(1, "out_INT8", ""));
            awaitHeldByTheWorker();
            // REST: the whole request, then the connection closes before the answer.
            byte[] body = TypedInputsRequests.request(2, "out_INT16", "").getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket(base.getHost(), base.getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v2/models/" + BatchingProfiles.MODEL + "/infer HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                awaitQueueDepth(2);
            }
            awaitQueueDepth(0);
            assertThat(running.get().statusCode()).isEqualTo(200);

            // gRPC: the call is cancelled while it waits.
            CompletableFuture<HttpResponse<String>> runningAgain = TypedInputsRequests.send(client, base,
                    TypedInputsRequests.request(1, "out_INT8", ""));
            awaitHeldByTheWorker();
            ListenableFuture<ModelInferResponse> call = GRPCInferenceServiceGrpc.newFutureStub(channel)
                    .modelInfer(grpcRequest("out_INT32"));
            awaitQueueDepth(2);
            call.cancel(true);
            awaitQueueDepth(0);
            awaitMetric("the REST request whose connection closed, counted", REST_CANCELLED, restBefore + 1);
            awaitMetric("the cancelled gRPC call, counted", GRPC_CANCELLED, grpcBefore + 1);
            assertThat(runningAgain.get().statusCode()).isEqualTo(200);
        } finally {
            channel.shutdownNow();
        }
        assertThat(Metrics.sum("zeroserve_execution_count_total", TypedInputsRequests.MODEL_LABEL)
                - executionsBefore).as("only the two holding requests were executed").isEqualTo(2);
    }
}
