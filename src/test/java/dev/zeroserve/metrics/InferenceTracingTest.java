package dev.zeroserve.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.TracingProfile;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A request that arrives with a W3C traceparent (as Knative's queue-proxy forwards it) continues that trace: the
 * server span is its child, and the request's queue wait and model execution are children of the server span.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class InferenceTracingTest extends GrpcClientTestBase {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";

    @Inject
    InMemorySpanExporter exporter;

    @BeforeEach
    void forgetEarlierSpans() {
        exporter.reset();
    }

    @Test
    void restRequestContinuesTheCallersTrace() throws InterruptedException {
        given().contentType("application/json").header("traceparent", TRACEPARENT)
                .body(BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(8))))
                .post("/v2/models/" + BundledModelRequests.MODEL + "/infer").then().statusCode(200);
        assertRequestTrace(span -> span.getName().contains("/infer"), 1);
    }

    @Test
    void grpcCallContinuesTheCallersTrace() throws InterruptedException {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), TRACEPARENT);
        GRPCInferenceServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .modelInfer(BundledModelRequests.grpc(BundledModelRequests.valuesFor(
                        BundledModelRequests.tokenIds(8))));
        assertRequestTrace(span -> span.getName().equals("inference.GRPCInferenceService/ModelInfer"), 1);
    }

    @Test
    void everyTextOfAnEmbeddingsRequestHasItsOwnQueueAndExecutionSpans() throws InterruptedException {
        given().contentType("application/json").header("traceparent", TRACEPARENT)
                .body("{\"model\": \"" + BundledModelRequests.MODEL + "\", \"input\": [\"first text\", \"the second text\", \"three\"]}").post("/v1/embeddings")
                .then().statusCode(200);
        assertRequestTrace(span -> span.getName().contains("/v1/embeddings"), 3);
    }

    /**
     * The request span (REST's server span, or gRPC's call span) holds one queue and one execution span per entry,
     * and descends from the caller's span.
     */
    private void assertRequestTrace(Predicate<SpanData> isRequestSpan, int entries) throws InterruptedException {
        List<SpanData> spans = awaitSpans(found -> found.stream().anyMatch(isRequestSpan)
                && found.stream().filter(span -> span.getName().equals("execute")).count() == entries);
        SpanData request = spans.stream().filter(isRequestSpan).findFirst()
                .orElseThrow(() -> new AssertionError("no request span in " + spans));
        assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(ancestors(spans, request)).as("the request span descends from the caller's")
                .endsWith(CALLER_SPAN);
        List<SpanData> queue = children(spans, request, "queue");
        List<SpanData> execute = children(spans, request, "execute");
        assertThat(queue).hasSize(entries);
        assertThat(execute).hasSize(entries);
        for (SpanData execution : execute) {
            assertThat(execution.getAttributes().get(InferenceTracing.BATCH_SIZE)).isPositive();
            assertThat(execution.getAttributes().get(InferenceTracing.MODEL)).isEqualTo(BundledModelRequests.MODEL);
            SpanData waited = queue.stream().filter(q -> q.getAttributes().get(InferenceTracing.ENTRY).equals(
                    execution.getAttributes().get(InferenceTracing.ENTRY))).findFirst().orElseThrow();
            assertThat(waited.getEndEpochNanos()).as("an entry runs when its wait ends")
                    .isEqualTo(execution.getStartEpochNanos());
            assertThat(waited.getStartEpochNanos()).isGreaterThanOrEqualTo(request.getStartEpochNanos());
            assertThat(execution.getEndEpochNanos()).isLessThanOrEqualTo(request.getEndEpochNanos());
        }
    }

    /** Parent span ids from the span up to the first one outside the recorded spans. */
    private static List<String> ancestors(List<SpanData> spans, SpanData span) {
        List<String> chain = new ArrayList<>();
        SpanData current = span;
        while (current != null) {
            String parent = current.getParentSpanId();
            chain.add(parent);
            current = spans.stream().filter(s -> s.getSpanId().equals(parent)).findFirst().orElse(null);
        }
        return chain;
    }

    private static List<SpanData> children(List<SpanData> spans, SpanData parent, String name) {
        return spans.stream().filter(span -> span.getName().equals(name))
                .filter(span -> span.getParentSpanId().equals(parent.getSpanId())).toList();
    }

    /** The spans of the caller's trace, once they are complete (or after 10 s, for the assertions to tell). */
    private List<SpanData> awaitSpans(Predicate<List<SpanData>> complete) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<SpanData> spans = exporter.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(TRACE_ID)).toList();
            if (complete.test(spans) || System.nanoTime() > deadline) {
                return spans;
            }
            Thread.sleep(20);
        }
    }
}
