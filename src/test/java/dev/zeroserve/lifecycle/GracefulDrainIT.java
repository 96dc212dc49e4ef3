package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcChannels;
import dev.zeroserve.testing.Metrics;
import dev.zeroserve.testing.PackagedService;
import dev.zeroserve.testing.RawHttp;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;

/**
 * SIGTERM to the packaged service under concurrent REST and gRPC load: every request sent before the signal must
 * succeed (queued and running ones are drained), requests after it are refused, and the process exits within the
 * drain timeout.
 */
class GracefulDrainIT {
    private static final int CLIENTS_PER_PROTOCOL = 12;
    private static final int MAX_BATCH_SIZE = 4;
    /** The info line, or the warning when some HTTP/2 connection had to be closed at the end of its grace. */
    private static final Pattern DRAINED = Pattern.compile("Drained: (\\d+) admitted rows answered in (\\d+) ms"
            + "(?:, HTTP/2 connections closed in|; HTTP/2 connections with streams still open after) (\\d+) ms");
    /** Long sequences, so that batches take long enough for requests to be queued and running at the signal. */
    private static final int TOKENS = 512;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Far above the 512-token requests (about 20 KB); a chunked body over it is refused while it arrives. */
    private static final int MAX_BODY_BYTES = 1 << 20;

    @TempDir
    Path logs;

    private PackagedService server;

    /** One client request: when it was sent relative to the signal, and how it ended. */
    record Outcome(String protocol, boolean sentBeforeSignal, String result) {
        boolean succeeded() {
            return "ok".equals(result);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyRequestAdmittedBeforeSigtermSucceeds() throws Exception {
        server = PackagedService.start(logs.resolve("server.log"), List.of(
                "zeroserve.drain.timeout=" + DRAIN_TIMEOUT.toSeconds() + "S",
                // Small batches: of the 24 clients' requests, some are running and the rest wait in the queue.
                "zeroserve.batching.max-batch-size=" + MAX_BATCH_SIZE,
                "quarkus.http.limits.max-body-size=" + MAX_BODY_BYTES));
        URL base = server.base().toURL();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        // A body over the limit without a Content-Length, refused while it arrives: its exchange must not hold the
        // drain to its timeout.
        RawHttp.RawResponse refused = RawHttp.postChunked(base, "/v2/models/" + BundledModelRequests.MODEL + "/infer",
                2L * MAX_BODY_BYTES);
        assertThat(refused.head()).as("chunked body over the limit").startsWith("HTTP/1.1 413");

        long[][] values = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(TOKENS));
        HttpRequest restRequest = HttpRequest.newBuilder(base.toURI().resolve("v2/models/"
                + BundledModelRequests.MODEL + "/infer")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BundledModelRequests.json(values))).build();
        ModelInferRequest grpcRequest = BundledModelRequests.grpc(values);
        ManagedChannel channel = GrpcChannels.open(base);

        AtomicBoolean holding = new AtomicBoolean();
        AtomicBoolean signalled = new AtomicBoolean();
        AtomicBoolean stopSending = new AtomicBoolean();
        AtomicInteger inFlight = new AtomicInteger();
        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        CountDownLatch loaded = new CountDownLatch(2 * CLIENTS_PER_PROTOCOL);
        ExecutorService clients = Executors.newFixedThreadPool(2 * CLIENTS_PER_PROTOCOL);
        for (int c = 0; c < CLIENTS_PER_PROTOCOL; c++) {
            clients.submit(() -> loop("rest", loaded, holding, signalled, stopSending, inFlight, outcomes,
                    () -> http.send(restRequest, HttpResponse.BodyHandlers.ofString()).statusCode()));
            clients.submit(() -> loop("grpc", loaded, holding, signalled, stopSending, inFlight, outcomes,
                    () -> grpc(channel, grpcRequest)));
        }
        assertThat(loaded.await(60, TimeUnit.SECONDS)).as("every client got an answer before the signal").isTrue();
        Thread.sleep(1000);

        // Hold new requests until every request counted as sent before the signal has reached the server (its
        // in-flight rows, one a request, equal the clients' count), even on a loaded machine; six batches of
        // 512-token rows take far longer, so most are still in flight.
        holding.set(true);
        URI metrics = base.toURI().resolve("q/metrics");
        // Answers keep arriving, so the counts agree at moments, not from one on: the moment seen is the assertion.
        assertThat(Await.until(Duration.ofSeconds(10), () -> admittedAll(http, metrics, inFlight)))
                .as("every request sent before the signal admitted").isTrue();
        int inFlightAtSignal = inFlight.get();
        signalled.set(true);
        long signalledAt = System.nanoTime();
        server.terminate();
        holding.set(false);
        boolean exited = server.awaitExit(DRAIN_TIMEOUT.plusSeconds(10));
        long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalledAt);
        stopSending.set(true);
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        GrpcChannels.close(channel);

        List<Outcome> before = outcomes.stream().filter(Outcome::sentBeforeSignal).toList();
        List<Outcome> after = outcomes.stream().filter(outcome -> !outcome.sentBeforeSignal()).toList();
        long afterRefused = after.stream().filter(outcome -> !outcome.succeeded()).count();
        Matcher drained = DRAINED.matcher(server.log());
        boolean drainLogged = drained.find();
        int drainedByServer = drainLogged ? Integer.parseInt(drained.group(1)) : -1;
        String drainMillis = drainLogged ? drained.group(2) : "?";
        String closeMillis = drainLogged ? drained.group(3) : "?";
        System.out.printf("drain: %d requests sent before SIGTERM (%d in flight at the signal, %d drained by the "
                + "server in %s ms, HTTP/2 connections closed in %s ms), %d failed; %d sent after it: %d answered, "
                + "%d refused %s; exit after %d ms%n", before.size(), inFlightAtSignal, drainedByServer, drainMillis,
                closeMillis,
                before.stream().filter(outcome -> !outcome.succeeded()).count(), after.size(),
                after.size() - afterRefused, afterRefused,
                countByResult(after), exitMillis);

        assertThat(exited).as("exited within the drain timeout").isTrue();
        assertThat(inFlightAtSignal).as("requests in flight at the signal").isGreaterThan(MAX_BATCH_SIZE);
        assertThat(before).as("requests sent before SIGTERM").allMatch(Outcome::succeeded, "succeeded");
        assertThat(after).as("requests after SIGTERM end in success or a refusal, never a failure")
                .allMatch(outcome -> outcome.succeeded() || outcome.result().startsWith("refused"));
        assertThat(drainedByServer).as("admitted requests the server answered while draining (-1: no drain logged)")
                .isGreaterThan(MAX_BATCH_SIZE);
        // Refusals of the requests that keep arriving must not hold the drain until its timeout.
        assertThat(Long.parseLong(drainMillis) + Long.parseLong(closeMillis)).as("drain time, ms")
                .isLessThan(DRAIN_TIMEOUT.minusSeconds(1).toMillis());
    }

    private static Map<String, Long> countByResult(List<Outcome> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(
                outcome -> outcome.protocol() + " " + outcome.result().lines().findFirst().orElse(""),
                TreeMap::new, Collectors.counting()));
    }

    private interface Call {
        int send() throws Exception;
    }

    private static void loop(String protocol, CountDownLatch loaded, AtomicBoolean holding, AtomicBoolean signalled,
            AtomicBoolean stop, AtomicInteger inFlight, ConcurrentLinkedQueue<Outcome> outcomes, Call call) {
        boolean first = true;
        while (!stop.get()) {
            while (holding.get()) {
                sleepQuietly(1); // not spinning: two dozen clients would take the server's CPU
            }
            boolean beforeSignal = !signalled.get();
            inFlight.incrementAndGet();
            String result;
            try {
                int status = call.send();
                result = status == 200 ? "ok" : status == 503 ? "refused 503" : "failed " + status;
            } catch (StatusRuntimeException e) {
                result = (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE ? "refused UNAVAILABLE: "
                        : "failed ") + e.getStatus().getDescription();
            } catch (IOException e) {
                // The listener is closed once the drain ends: nothing was admitted, the client may retry elsewhere.
                result = "refused connection";
            } catch (Exception e) {
                result = "failed " + e;
            } finally {
                inFlight.decrementAndGet();
            }
            outcomes.add(new Outcome(protocol, beforeSignal, result));
            if (first) {
                first = false;
                loaded.countDown();
            }
            if (!beforeSignal && !result.equals("ok")) {
                sleepQuietly(20);
            }
        }
    }

    private static int grpc(ManagedChannel channel, ModelInferRequest request) {
        GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(request);
        return 200;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Whether the server holds every request the clients count in flight (one row each), the clients' count the same
     * before and after the scrape, so that an answer and a request crossing it cannot cancel out.
     */
    private static boolean admittedAll(HttpClient http, URI metrics, AtomicInteger inFlight) {
        int before = inFlight.get();
        double server = serverInFlight(http, metrics);
        return server == before && inFlight.get() == before;
    }

    /** The server's admitted, unanswered rows (zeroserve_inflight_requests); -1 where it cannot be read. */
    private static double serverInFlight(HttpClient http, URI metrics) {
        try {
            return Metrics.sum(http.send(HttpRequest.newBuilder(metrics).build(),
                    HttpResponse.BodyHandlers.ofString()).body(), "zeroserve_inflight_requests", "");
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
