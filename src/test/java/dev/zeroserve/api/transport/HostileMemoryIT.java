package dev.zeroserve.api.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcChannels;
import dev.zeroserve.testing.H2cClient;
import dev.zeroserve.testing.PackagedService;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.vertx.core.Vertx;

/**
 * The packaged service under the images' JVM flags (a 160 MiB heap, 256 MiB of direct memory, exit on the first
 * OutOfMemoryError), sent at once many requests that each pass the configured limits but together would need far more
 * memory than the pod has: maximum-size JSON and binary bodies, gzip gRPC messages that inflate past the limit and to
 * just under it, and an embeddings request of millions of inputs. The process must stay up, answer each with a 4xx or
 * a 503 (with Retry-After), and answer a valid request right afterwards exactly as before.
 */
class HostileMemoryIT {
    private static final String MODEL = BundledModelRequests.MODEL;
    private static final int BODY_BYTES = 60 << 20;

    @TempDir
    static Path dir;

    private static PackagedService service;
    private static Vertx vertx;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        service = PackagedService.startAsImage(dir.resolve("server.log"), List.of());
        vertx = Vertx.vertx();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        if (vertx != null) {
            vertx.close();
        }
        if (service != null) {
            service.close();
        }
    }

    @Test
    void concurrentMaximumSizeRequestsNeitherEndTheProcessNorChangeAValidAnswer() throws Exception {
        String valid = BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16)));
        String before = postJson("/v2/models/" + MODEL + "/infer", valid.getBytes(StandardCharsets.UTF_8)).body();
        long rssBefore = service.residentKib();

        byte[] json = hugeJson();
        byte[] binary = hugeBinary();
        byte[] bomb = gzip(1L << 30); // 1 GiB of zeros, about 1 MiB on the wire
        byte[] nearLimit = gzip(60L << 20);
        byte[] embeddings = tooManyEmbeddingInputs();
        List<Callable<String>> attacks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attacks.add(() -> "json " + outcome(postJson("/v2/models/" + MODEL + "/infer", json)));
            attacks.add(() -> "binary " + outcome(postBinary(binary)));
        }
        for (int i = 0; i < 2; i++) {
            attacks.add(() -> "gzip bomb " + grpcOutcome(bomb));
            attacks.add(() -> "gzip 60 MiB " + grpcOutcome(nearLimit));
            attacks.add(() -> "embeddings " + outcome(postJson("/v1/embeddings", embeddings)));
        }
        List<String> outcomes = atOnce(attacks);
        long rssAfter = service.residentKib();
        System.out.printf("HostileMemoryIT: RSS %d MiB before, %d MiB after; outcomes %s%n", rssBefore >> 10,
                rssAfter >> 10, outcomes);

        assertThat(service.alive()).as("the process survived; log:\n%s", service.log()).isTrue();
        assertThat(outcomes).as("each answered 4xx, 503 with Retry-After, or a gRPC refusal").allSatisfy(outcome ->
                assertThat(outcome).matches(".* (4\\d\\d|503 retry-after=\\d+|RESOURCE_EXHAUSTED|UNAVAILABLE|"
                        + "INVALID_ARGUMENT)( .*)?"));
        assertThat(outcomes).as("the budget refused some of them").anyMatch(outcome -> outcome.contains("503"));
        HttpResponse<String> after = postJson("/v2/models/" + MODEL + "/infer", valid.getBytes(StandardCharsets.UTF_8));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo(before);
        assertThat(service.log()).doesNotContain("OutOfMemoryError");
        String metrics = http.send(HttpRequest.newBuilder(URI.create(service.base() + "q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("zeroserve_in_flight_refusals_total\\{reason=\"busy\"\\} [1-9]")
                .contains("zeroserve_in_flight_request_bytes_limit_bytes");
    }

    /** Alone, each attack meets the bound meant for it rather than a full budget. */
    @Test
    void aloneEachIsRefusedByItsOwnBound() throws Exception {
        assertThat(outcome(postJson("/v1/embeddings", tooManyEmbeddingInputs())))
                .startsWith("400").contains("inputs in one request; at most 128");
        assertThat(grpcOutcome(gzip(1L << 30))).startsWith("RESOURCE_EXHAUSTED");
        assertThat(outcome(postJson("/v2/models/" + MODEL + "/infer", hugeJson()))).startsWith("400");
        assertThat(service.alive()).isTrue();
    }

    /**
     * Uncompressed gRPC messages declare no length before they arrive (grpc-java sends none), and Vert.x's gRPC server
     * reads each whole before any code of this service runs: each call holds the largest message's cost while it
     * arrives, and its own once read, before it is decoded.
     */
    @Test
    void concurrentMaximumSizeGrpcMessagesAreChargedOnceRead() throws Exception {
        int elements = BODY_BYTES / 8;
        ModelInferRequest.Builder huge = ModelInferRequest.newBuilder().setModelName(MODEL);
        for (String input : BundledModelRequests.INPUTS) {
            huge.addInputsBuilder().setName(input).setDatatype("INT64").addShape(1).addShape(elements / 3);
            huge.addRawInputContents(ByteString.copyFrom(new byte[elements / 3 * 8]));
        }
        ModelInferRequest message = huge.build();
        ManagedChannel channel = GrpcChannels.open(service.base().toURL());
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calls.add(() -> {
                try {
                    GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                            .modelInfer(message);
                    return "OK ";
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode() + " " + e.getStatus().getDescription();
                }
            });
        }
        List<String> outcomes;
        try {
            outcomes = atOnce(calls);
        } finally {
            GrpcChannels.close(channel);
        }
        System.out.printf("HostileMemoryIT: four %d-byte gRPC messages at once: %s%n", message.getSerializedSize(),
                outcomes);
        assertThat(service.alive()).as("the process survived; log:\n%s", service.log()).isTrue();
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome).matches(
                "(OK|RESOURCE_EXHAUSTED|UNAVAILABLE|INVALID_ARGUMENT) .*"));
    }

    /** Each call on a thread of its own, all at once; their outcomes in order. */
    private static List<String> atOnce(List<Callable<String>> calls) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(calls.size());
        try {
            List<String> outcomes = new ArrayList<>();
            for (Future<String> outcome : clients.invokeAll(calls)) {
                outcomes.add(outcome.get());
            }
            return outcomes;
        } finally {
            clients.shutdownNow();
        }
    }

    /** A JSON body of {@value #BODY_BYTES} bytes: one INT64 input of 15 million elements, more than the model takes. */
    private static byte[] hugeJson() {
        int elements = (BODY_BYTES - 200) / 4;
        StringBuilder body = new StringBuilder(BODY_BYTES).append("{\"inputs\":[{\"name\":\"input_ids\",\"shape\":[1,")
                .append(elements).append("],\"datatype\":\"INT64\",\"data\":[");
        for (int i = 0; i < elements; i++) {
            body.append(i > 0 ? ",101" : "101");
        }
        return body.append("]}]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A binary-extension body of {@value #BODY_BYTES} bytes: one INT64 input as a blob. */
    private static byte[] hugeBinary() {
        int elements = BODY_BYTES / 8;
        byte[] header = ("{\"inputs\":[{\"name\":\"input_ids\",\"datatype\":\"INT64\",\"shape\":[1," + elements
                + "],\"parameters\":{\"binary_data_size\":" + (elements * 8L) + "}}]}").getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(header, header.length + elements * 8);
        return body;
    }

    /** Millions of one-letter texts: far more inputs than allowed, each a heap object if the body were read whole. */
    private static byte[] tooManyEmbeddingInputs() {
        StringBuilder body = new StringBuilder(BODY_BYTES).append("{\"model\":\"").append(MODEL)
                .append("\",\"input\":[");
        int count = (BODY_BYTES - 100) / 4;
        for (int i = 0; i < count; i++) {
            body.append(i > 0 ? ",\"a\"" : "\"a\"");
        }
        return body.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] gzip(long zeros) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed, 1 << 16)) {
            byte[] chunk = new byte[1 << 20];
            for (long written = 0; written < zeros; written += chunk.length) {
                out.write(chunk);
            }
        }
        return compressed.toByteArray();
    }

    private static HttpResponse<String> postJson(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(service.base() + path.substring(1)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postBinary(byte[] body) throws Exception {
        int headerLength = new String(body, 0, 400, StandardCharsets.ISO_8859_1).indexOf("}}]}") + 4;
        return http.send(HttpRequest.newBuilder(URI.create(service.base() + "v2/models/" + MODEL + "/infer"))
                .header("Content-Type", "application/octet-stream")
                .header("Inference-Header-Content-Length", Integer.toString(headerLength))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String outcome(HttpResponse<String> response) {
        String retryAfter = response.headers().firstValue("Retry-After").map(value -> " retry-after=" + value)
                .orElse("");
        return response.statusCode() + retryAfter + " " + response.body().substring(0,
                Math.min(160, response.body().length()));
    }

    private static String grpcOutcome(byte[] gzipped) throws Exception {
        try (H2cClient client = new H2cClient(vertx, service.base().toURL())) {
            H2cClient.Reply reply = client.grpcFramed("inference.GRPCInferenceService/ModelInfer",
                    H2cClient.frame(true, gzipped.length, gzipped), Map.of("grpc-encoding", "gzip"));
            return reply.grpcStatus() + " " + reply.grpcMessage();
        }
    }
}
