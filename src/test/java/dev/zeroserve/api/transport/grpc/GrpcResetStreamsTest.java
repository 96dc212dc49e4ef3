package dev.zeroserve.api.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ServerLiveRequest;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.H2cClient;
import dev.zeroserve.testing.RawH2c;
import dev.zeroserve.testing.ResetTrials;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A gRPC call its client resets (a deadline, a cancelled future) ends only itself: the other calls on its HTTP/2
 * connection are answered and the connection stays open. The server answered such a call late, on a stream Netty had
 * already forgotten, and Vert.x turned the refused trailers into GOAWAY PROTOCOL_ERROR ("Request stream N is not
 * correct for server connection") for the whole connection (issue 23; OpenStream).
 */
@QuarkusTest
class GrpcResetStreamsTest {
    private static final String INFER = "inference.GRPCInferenceService/ModelInfer";
    private static final String LIVE = "inference.GRPCInferenceService/ServerLive";
    private static final ModelInferRequest REQUEST = BundledModelRequests.grpc(BundledModelRequests.valuesFor(
            BundledModelRequests.tokenIds(8)));
    private static final byte[] FRAME = H2cClient.frame(false, REQUEST.getSerializedSize(), REQUEST.toByteArray());

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void ready() {
        Await.modelReady();
    }

    @Test
    void callsResetInFlightEndOnlyThemselves() throws Exception {
        ResetTrials.Outcome outcome = ResetTrials.run(base, 20, 20, valid(Map.of(), FRAME),
                new ResetTrials.Request(connection -> connection.grpc(INFER, Map.of("grpc-timeout", "1u")), FRAME,
                        answer -> true));
        assertThat(outcome.clean()).as(outcome.toString()).isTrue();
    }

    /**
     * Answers of 98 KiB, more than the client's 64 KiB window: the trailers wait until the message has left flow
     * control, where a reset would have failed them and, through their void promise, the connection.
     */
    @Test
    void callsResetWhileTheirAnswerWaitsForTheClientsWindowEndOnlyThemselves() throws Exception {
        ModelInferRequest large = BundledModelRequests.grpc(BundledModelRequests.valuesFor(
                BundledModelRequests.tokenIds(64)));
        byte[] frame = H2cClient.frame(false, large.getSerializedSize(), large.toByteArray());
        ResetTrials.Outcome outcome = ResetTrials.run(base, 10, 15, valid(Map.of(), frame), null);
        assertThat(outcome.clean()).as(outcome.toString()).isTrue();
    }

    /**
     * A call answered at once (ServerLive) whose reset arrives in the same read as its request: the answer is written
     * in a turn of its own, after that read, and finds the stream gone, instead of waiting in flow control for the
     * read's flush while the reset fails it.
     */
    @Test
    void callsResetInTheReadThatBroughtThemEndOnlyThemselves() throws Exception {
        byte[] live = ServerLiveRequest.getDefaultInstance().toByteArray();
        byte[] frame = H2cClient.frame(false, live.length, live);
        for (int c = 0; c < 10; c++) {
            try (RawH2c connection = RawH2c.connect(base)) {
                for (int i = 0; i < 20; i++) {
                    connection.sendAndReset(connection.grpc(LIVE, Map.of()), frame);
                }
                RawH2c.Answer answer = connection.send(connection.grpc(LIVE, Map.of()), frame).answer()
                        .get(10, TimeUnit.SECONDS);
                assertThat(answer.grpcStatus()).as("connection %d: %s", c, answer).isEqualTo("0");
                assertThat(connection.goAway()).as("connection %d", c).isEmpty();
                assertThat(connection.isOpen()).as("connection %d", c).isTrue();
            }
        }
    }

    /** The deflate relay (CompressedCalls) answers the client's stream only while it is open, as the server does. */
    @Test
    void deflateCallsResetInFlightEndOnlyThemselves() throws Exception {
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(deflated)) {
            out.write(REQUEST.toByteArray());
        }
        byte[] frame = H2cClient.frame(true, deflated.size(), deflated.toByteArray());
        // 12 x 20 rounds: more resets than the server allows one connection in 30 s, all relayed over the loopback.
        ResetTrials.Outcome outcome = ResetTrials.run(base, 12, 20, valid(Map.of("grpc-encoding", "deflate"), frame),
                null);
        assertThat(outcome.clean()).as(outcome.toString()).isTrue();
    }

    /** grpc-java's client on one channel: cancelled futures and passing deadlines, as Triton's clients send them. */
    @Test
    void cancelledCallsAndDeadlinesLeaveTheChannelsConnection() throws Exception {
        ResetTrials.Outcome outcome = ResetTrials.grpcChannels(base, 5, 60, REQUEST);
        assertThat(outcome.clean()).as(outcome.toString()).isTrue();
    }

    private static ResetTrials.Request valid(Map<String, String> headers, byte[] frame) {
        return new ResetTrials.Request(connection -> connection.grpc(INFER, headers), frame,
                GrpcResetStreamsTest::answered);
    }

    private static boolean answered(RawH2c.Answer answer) {
        return !answer.reset() && answer.grpcStatus().equals("0") && answer.body().length > 5;
    }
}
