package dev.zeroserve.api.transport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.InferParameter;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.H2cFrames;
import dev.zeroserve.testing.RawHttp;
import dev.zeroserve.testing.TransportBoundsProfile;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * The transport's bounds as a client meets them: what HTTP/2's SETTINGS advertise, how long a half-sent request may
 * hold its connection, and how long a request may ask to wait.
 */
@QuarkusTest
@TestProfile(TransportBoundsProfile.class)
class TransportBoundsTest extends GrpcClientTestBase {
    private static final String INFER = "/v2/models/" + BundledModelRequests.MODEL + "/infer";
    private static final long[][] VALUES = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16));
    /** Ten times the cap: longer than the leader is held, so with it the request would be answered. */
    private static final long ASKED_MICROS = TransportBoundsProfile.MAX_REQUEST_TIMEOUT.toNanos() / 100;
    /** How long the leader of {@link #behindALeader} is given to reach the queue before the request follows. */
    private static final Duration LEADER_START = Duration.ofMillis(500);
    /** The idle timeout's closing runs on a timer that may fire late on a loaded machine. */
    private static final Duration SLACK = Duration.ofSeconds(3);

    @Test
    void http2SettingsAdvertiseTheStreamAndHeaderBounds() throws IOException {
        // From application.properties: the profile leaves them as they are deployed.
        assertThat(H2cFrames.serverSettings(base)).containsEntry(H2cFrames.MAX_CONCURRENT_STREAMS, 512L)
                .containsEntry(H2cFrames.MAX_HEADER_LIST_SIZE, 20480L);
    }

    @Test
    void aClientThatStopsHalfwayThroughItsHeadersIsDisconnected() throws IOException {
        assertClosedWithinTheIdleTimeout("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\nContent-Ty");
    }

    @Test
    void aClientThatStopsHalfwayThroughItsBodyIsDisconnected() throws IOException {
        assertClosedWithinTheIdleTimeout("POST " + INFER + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inputs\":[");
    }

    @Test
    void anHttp2RequestWhoseBodyNeverComesIsDisconnected() throws IOException {
        assertClosedWithinTheIdleTimeout(H2cFrames.postWithoutBody(INFER));
    }

    private void assertClosedWithinTheIdleTimeout(String sent) throws IOException {
        assertClosedWithinTheIdleTimeout(sent.getBytes(StandardCharsets.US_ASCII));
    }

    private void assertClosedWithinTheIdleTimeout(byte[] sent) throws IOException {
        Duration patience = TransportBoundsProfile.IDLE_TIMEOUT.plus(SLACK);
        Duration open = RawHttp.untilClosed(base, sent, patience);
        assertThat(open).as("time the half-sent request held its connection").isLessThan(patience)
                .isGreaterThanOrEqualTo(TransportBoundsProfile.IDLE_TIMEOUT.minusMillis(100));
    }

    @Test
    void aRestRequestAskingToWaitLongerThanTheCapWaitsOnlyAsLongAsTheCap() throws Exception {
        String body = BundledModelRequests.json(VALUES).replaceFirst("^\\{",
                "{\"parameters\":{\"timeout\":" + ASKED_MICROS + "},");
        Duration waited = behindALeader(() -> {
            Response response = given().contentType(ContentType.JSON).body(body).post(INFER);
            assertThat(response.statusCode()).as("%.300s", response.asString()).isEqualTo(504);
        });
        assertWaitedForTheCap(waited);
    }

    @Test
    void aGrpcRequestAskingToWaitLongerThanTheCapWaitsOnlyAsLongAsTheCap() throws Exception {
        ModelInferRequest request = BundledModelRequests.grpc(VALUES).toBuilder()
                .putParameters("timeout", InferParameter.newBuilder().setInt64Param(ASKED_MICROS).build()).build();
        Duration waited = behindALeader(() -> assertThatThrownBy(
                () -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                        .isEqualTo(Status.Code.DEADLINE_EXCEEDED)));
        assertWaitedForTheCap(waited);
    }

    /**
     * Runs {@code request} while a leader, a request of another length (so of another batch), is held for company:
     * the request waits in the queue until its deadline passes, where alone it would have been taken as the leader of a
     * batch and held with it. Returns how long the request took.
     */
    private static Duration behindALeader(Runnable request) throws Exception {
        CompletableFuture<Integer> leader = CompletableFuture.supplyAsync(() -> given().contentType(ContentType.JSON)
                .body(BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(8))))
                .post(INFER).statusCode());
        Thread.sleep(LEADER_START.toMillis());
        long start = System.nanoTime();
        request.run();
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        leader.get(30, TimeUnit.SECONDS);
        return waited;
    }

    /** At least the cap, so not the default; less than the leader's hold, so not the ten times the cap asked. */
    private static void assertWaitedForTheCap(Duration waited) {
        assertThat(waited).isGreaterThanOrEqualTo(TransportBoundsProfile.MAX_REQUEST_TIMEOUT.minusMillis(50))
                .isLessThan(TransportBoundsProfile.QUEUE_DELAY.minus(LEADER_START));
    }
}
