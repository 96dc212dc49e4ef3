package dev.zeroserve.testing;

import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import com.google.common.util.concurrent.ListenableFuture;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import io.grpc.Attributes;
import io.grpc.ClientTransportFilter;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * Trials of streams reset in flight among valid requests on one HTTP/2 connection, as Knative's queue-proxy
 * multiplexes many users' calls: in each round a valid request is in flight while a request reset in the same flush as
 * its body, one reset after a delay of up to twice a valid request's latency (while it is decoded, queued, computed
 * or answered), and optionally one that carries a deadline already passing and is reset at once after, come and go on
 * the same connection. Each connection's rounds stop at the first GOAWAY or close.
 */
public final class ResetTrials {
    /** One kind of request: its headers on a connection, its body, and what a valid answer looks like. */
    public record Request(Function<RawH2c, Http2Headers> headers, byte[] body, Predicate<RawH2c.Answer> valid) {
    }

    /** Connections tried, those cut (GOAWAY or closed), and every valid request that was not answered as one. */
    public record Outcome(int connections, int rounds, int cut, List<String> failures) {
        public boolean clean() {
            return cut == 0 && failures.isEmpty();
        }

        @Override
        public String toString() {
            return "connections cut (GOAWAY, closed or replaced): " + cut + " of " + connections + ", " + rounds
                    + " rounds each; valid requests not answered as valid: " + failures.size()
                    + (failures.isEmpty() ? "" : " " + failures.subList(0, Math.min(5, failures.size())));
        }
    }

    private ResetTrials() {
    }

    /**
     * @param expiring a request whose deadline passes at once (gRPC's grpc-timeout: 1u), reset right after it is sent
     *        as its client gives up; null where the protocol has none
     */
    public static Outcome run(URL base, int connections, int rounds, Request request, Request expiring)
            throws Exception {
        return run(base, Http2CodecUtil.DEFAULT_WINDOW_SIZE, connections, rounds, request, expiring);
    }

    /** The same, the client offering {@code window} bytes of flow-control window (see {@link RawH2c#connect}). */
    public static Outcome run(URL base, int window, int connections, int rounds, Request request, Request expiring)
            throws Exception {
        SplittableRandom random = new SplittableRandom(23);
        int cut = 0;
        List<String> failures = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            try (RawH2c connection = RawH2c.connect(base, window)) {
                long latency = latencyNanos(connection, request);
                for (int round = 0; round < rounds; round++) {
                    RawH2c.Call valid = connection.send(request.headers().apply(connection), request.body());
                    connection.sendAndReset(request.headers().apply(connection), request.body());
                    RawH2c.Call late = connection.send(request.headers().apply(connection), request.body());
                    spin(random.nextLong(2 * latency + 1));
                    late.reset();
                    if (expiring != null) {
                        RawH2c.Call expired = connection.send(expiring.headers().apply(connection), expiring.body());
                        spin(random.nextLong(50_000));
                        expired.reset();
                    }
                    String failure = failure(valid, request);
                    if (failure != null) {
                        failures.add("connection " + c + " round " + round + ": " + failure);
                    }
                    if (connection.goAway().isPresent() || !connection.isOpen()) {
                        cut++;
                        failures.add("connection " + c + " round " + round + ": "
                                + connection.goAway().map(Object::toString).orElse("closed without GOAWAY"));
                        break;
                    }
                }
            }
        }
        return new Outcome(connections, rounds, cut, failures);
    }

    /**
     * The same with grpc-java's own client, {@code channels} channels one after the other (a channel holds one
     * connection): in each round a valid call is in flight while a call whose future is cancelled after up to twice a
     * call's latency, one with a 1 µs deadline and one whose deadline passes within twice a call's latency come and go.
     * Every valid call must succeed and every other one end OK, CANCELLED or DEADLINE_EXCEEDED (never UNAVAILABLE or
     * INTERNAL), and each channel keep its one connection. Rounds per channel stay under the server's limit on resets
     * (Vert.x: 200 RST_STREAM in 30 s, then GOAWAY ENHANCE_YOUR_CALM against rapid-reset floods).
     */
    public static Outcome grpcChannels(URL base, int channels, int rounds, ModelInferRequest request)
            throws Exception {
        SplittableRandom random = new SplittableRandom(23);
        List<String> failures = new ArrayList<>();
        int cut = 0;
        for (int c = 0; c < channels; c++) {
            int[] connections = { 0 };
            ManagedChannel channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                    .maxInboundMessageSize(64 << 20)
                    .addTransportFilter(new ClientTransportFilter() {
                        @Override
                        public Attributes transportReady(Attributes attributes) {
                            synchronized (connections) {
                                connections[0]++;
                            }
                            return attributes;
                        }
                    }).build();
            try {
                GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub = GRPCInferenceServiceGrpc
                        .newFutureStub(channel);
                long[] nanos = new long[7];
                for (int i = 0; i < nanos.length; i++) {
                    long start = System.nanoTime();
                    stub.modelInfer(request).get(10, TimeUnit.SECONDS);
                    nanos[i] = System.nanoTime() - start;
                }
                Arrays.sort(nanos);
                long latency = nanos[nanos.length / 2];
                for (int round = 0; round < rounds; round++) {
                    ListenableFuture<ModelInferResponse> valid = stub.modelInfer(request);
                    ListenableFuture<ModelInferResponse> cancelled = stub.modelInfer(request);
                    ListenableFuture<ModelInferResponse> expired = stub.withDeadlineAfter(1, TimeUnit.MICROSECONDS)
                            .modelInfer(request);
                    ListenableFuture<ModelInferResponse> timedOut = stub.withDeadlineAfter(
                            1 + random.nextLong(2 * latency), TimeUnit.NANOSECONDS).modelInfer(request);
                    spin(random.nextLong(2 * latency + 1));
                    cancelled.cancel(true);
                    String failure = grpcFailure(valid, Set.of(Status.Code.OK));
                    if (failure != null) {
                        failures.add("channel " + c + " round " + round + " valid call: " + failure);
                    }
                    for (ListenableFuture<ModelInferResponse> ended : List.of(expired, timedOut)) {
                        failure = grpcFailure(ended, Set.of(Status.Code.OK, Status.Code.DEADLINE_EXCEEDED,
                                Status.Code.CANCELLED));
                        if (failure != null) {
                            failures.add("channel " + c + " round " + round + " call with a deadline: " + failure);
                        }
                    }
                }
            } finally {
                GrpcChannels.close(channel);
            }
            synchronized (connections) {
                cut += connections[0] - 1;
            }
        }
        return new Outcome(channels, rounds, cut, failures);
    }

    private static String grpcFailure(ListenableFuture<ModelInferResponse> call, Set<Status.Code> expected) {
        Status.Code code;
        try {
            call.get(10, TimeUnit.SECONDS);
            code = Status.Code.OK;
        } catch (java.util.concurrent.ExecutionException e) {
            code = Status.fromThrowable(e.getCause()).getCode();
            if (!expected.contains(code)) {
                return Status.fromThrowable(e.getCause()).toString();
            }
        } catch (Exception e) {
            return e.toString();
        }
        return expected.contains(code) ? null : code.toString();
    }

    /** The median of a few valid requests' latency on this connection, which also warms it. */
    private static long latencyNanos(RawH2c connection, Request request) throws Exception {
        long[] nanos = new long[7];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            String failure = failure(connection.send(request.headers().apply(connection), request.body()), request);
            if (failure != null) {
                throw new AssertionError("a valid request failed before any reset: " + failure);
            }
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2];
    }

    private static String failure(RawH2c.Call call, Request request) {
        try {
            RawH2c.Answer answer = call.answer().get(10, TimeUnit.SECONDS);
            return request.valid().test(answer) ? null : answer.toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Waits this long without giving up the core: a sleep's resolution is coarser than the moments tried. */
    private static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }
}
