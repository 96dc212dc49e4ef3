package dev.zeroserve.api.grpc;

import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.zeroserve.api.RequestBodies;
import dev.zeroserve.api.http.InFlightBudget;
import dev.zeroserve.api.http.Refusals;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.serving.EventLoopWork;
import dev.zeroserve.serving.InferenceService;
import io.grpc.StatusRuntimeException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * gRPC calls with a compressed message ({@code grpc-encoding} gzip or deflate, both of which Triton's clients offer).
 * Vert.x 4.5's gRPC server takes its decompressors from grpc-java's fixed default registry (gzip only) and cannot be
 * given another, and it inflates a gzip message whole, with no bound on the inflated size: a 1 MiB message that
 * inflates to 1 GiB ended the process. So such a call is decoded here: its message is inflated within the bound of
 * every gRPC message and within the in-flight budget, chunk by chunk, and the call is passed on
 * uncompressed over the connection's own local address, as a decompressing proxy in front of the server would
 * (Envoy's decompressor filter does this for servers that lack a codec). Every layer behind the port (interceptors,
 * deadlines, tracing, metrics) sees an ordinary call; the answer, trailers included, goes back unchanged, and a
 * client that resets its stream resets the relayed one. Only compressed calls pay the hop. Every method this server
 * offers takes one message, so a deflate call carries one.
 */
@ApplicationScoped
public class DeflatedCalls {
    private static final Logger LOG = Logger.getLogger(DeflatedCalls.class);
    /** Headers of the client's request that do not describe the relayed one (grpc-timeout is rewritten). */
    private static final Set<String> NOT_RELAYED = Set.of("grpc-encoding", "content-length", "host",
            DeadlineInterceptor.TIMEOUT_HEADER);
    private static final String LIMIT = "quarkus.grpc.server.max-inbound-message-size";

    /**
     * Heap held per inflated byte: the frame's buffer, which grows by doubling up to 4 MiB and by 4 MiB steps after,
     * and the array it leaves behind as it grows.
     */
    private static final int INFLATED_FACTOR = 2;

    private final Vertx vertx;
    private final long maxMessageBytes;
    private final InFlightBudget budget;
    private volatile HttpClient loopback;

    DeflatedCalls(Vertx vertx, @ConfigProperty(name = LIMIT) int maxMessageBytes, InFlightBudget budget) {
        this.vertx = vertx;
        this.maxMessageBytes = maxMessageBytes;
        this.budget = budget;
    }

    /**
     * Reads the call's body, inflates its message from {@code coding} and relays it; the client gets the relayed
     * call's answer.
     */
    void relay(RoutingContext context, String coding) {
        HttpServerRequest request = context.request();
        long arrived = System.nanoTime();
        Buffer body = Buffer.buffer();
        boolean[] refused = { false };
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            // One message of at most the limit: a body past that is refused as it arrives, not kept.
            try {
                if (body.length() + (long) chunk.length() > 5 + maxMessageBytes) {
                    throw new InferenceException(Status.PAYLOAD_TOO_LARGE, "the request is more than "
                            + maxMessageBytes + " bytes (" + LIMIT + ")");
                }
                budget.charge(context, chunk.length(), "the compressed message");
            } catch (InferenceException e) {
                refused[0] = true;
                answer(context, e);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(end -> {
            if (refused[0]) {
                return;
            }
            // Inflating up to 64 MiB would hold the event loop's other connections: a large body on a worker.
            EventLoopWork.run(body.length() > EventLoopWork.INLINE_BYTES,
                    () -> CompletableFuture.completedFuture(inflatedFrame(context, coding, body)))
                    .whenComplete((frame, failure) -> {
                        if (failure != null) {
                            answer(context, InferenceService.unwrap(failure));
                        } else {
                            budget.keepOnly(context, frame.length());
                            send(context, frame, arrived);
                        }
                    });
        });
    }

    /** The body's one message, inflated if it is compressed, framed uncompressed. */
    private Buffer inflatedFrame(RoutingContext context, String coding, Buffer body) {
        if (body.length() < 5) {
            throw InferenceException.invalid("the request ends inside a message's 5-byte prefix");
        }
        long length = body.getUnsignedInt(1);
        long sent = body.length() - 5L;
        if (length > sent) {
            throw InferenceException.invalid("the request ended before a whole message: its length prefix "
                    + "declares " + length + " bytes, " + sent + " were sent");
        }
        if (length < sent) {
            throw InferenceException.invalid("the request has " + (sent - length) + " bytes after its message; "
                    + "every method of this server takes one message");
        }
        if (body.getByte(0) != 1) {
            return body;
        }
        Buffer frame = Buffer.buffer((int) Math.min(4 * sent, 1 << 20) + 5) // grown as it inflates
                .appendByte((byte) 0).appendUnsignedInt(0);
        long inflated = RequestBodies.inflate("message", coding, body.getBytes(5, body.length()), maxMessageBytes,
                LIMIT, bytes -> budget.charge(context, bytes * INFLATED_FACTOR, "the inflated message"),
                new OutputStream() {
                    @Override
                    public void write(int b) {
                        frame.appendByte((byte) b);
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int count) {
                        frame.appendBytes(bytes, offset, count);
                    }
                });
        return frame.setUnsignedInt(1, inflated);
    }

    private void send(RoutingContext context, Buffer frame, long arrived) {
        HttpServerRequest request = context.request();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setServer(request.localAddress())
                .setHost("localhost").setPort(request.localAddress().port()).setURI(request.uri());
        request.headers().forEach(header -> {
            if (!NOT_RELAYED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(header.getKey(), header.getValue());
            }
        });
        long timeout = DeadlineInterceptor.timeoutNanos(request.getHeader(DeadlineInterceptor.TIMEOUT_HEADER));
        if (timeout >= 0) {
            // The client's deadline runs from its call's arrival, not from the relay.
            long remaining = timeout - (System.nanoTime() - arrived);
            if (remaining <= 0) {
                answer(context, new InferenceException(Status.DEADLINE_EXCEEDED, "the request's deadline passed "
                        + "before it ran"));
                return;
            }
            options.addHeader(DeadlineInterceptor.TIMEOUT_HEADER, timeoutHeader(remaining));
        }
        loopback().request(options)
                .compose(relayed -> {
                    context.response().closeHandler(closed -> relayed.reset());
                    return relayed.send(frame);
                })
                .compose(response -> response.body().map(answer -> {
                    forward(context.response(), response, answer);
                    return answer;
                }))
                .onFailure(failure -> {
                    if (context.response().closed()) {
                        return; // the client went away, and the relayed call with it
                    }
                    LOG.warnf("A compressed gRPC call could not be relayed over this server's port: %s", failure);
                    if (!context.response().headWritten()) {
                        answer(context, new InferenceException(Status.UNAVAILABLE, "the compressed call "
                                + "could not be relayed: " + failure.getMessage()));
                    }
                });
    }

    /** grpc-timeout's wire form: at most 8 digits, in the finest unit that fits. */
    static String timeoutHeader(long nanos) {
        long micros = TimeUnit.NANOSECONDS.toMicros(nanos);
        if (micros < 100_000_000L) {
            return Math.max(1, micros) + "u";
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (millis < 100_000_000L) {
            return millis + "m";
        }
        return Math.min(99_999_999L, TimeUnit.NANOSECONDS.toSeconds(nanos)) + "S";
    }

    private static void forward(HttpServerResponse out, HttpClientResponse response, Buffer answer) {
        if (out.closed()) {
            return;
        }
        out.setStatusCode(response.statusCode());
        response.headers().forEach(header -> out.headers().add(header.getKey(), header.getValue()));
        out.headers().set("grpc-accept-encoding", Refusals.GRPC_ACCEPTED_ENCODINGS);
        response.trailers().forEach(trailer -> out.putTrailer(trailer.getKey(), trailer.getValue()));
        out.end(answer);
    }

    /** The status and message of {@code failure}, as a trailers-only gRPC response. */
    private static void answer(RoutingContext context, InferenceException failure) {
        if (context.response().closed()) {
            return;
        }
        StatusRuntimeException status = GrpcErrors.toStatus(failure);
        Refusals.trailersOnly(context.response(), status.getStatus().getCode(),
                status.getStatus().getDescription());
    }

    private HttpClient loopback() {
        HttpClient client = loopback;
        if (client == null) {
            synchronized (this) {
                if (loopback == null) {
                    loopback = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                            .setHttp2ClearTextUpgrade(false));
                }
                client = loopback;
            }
        }
        return client;
    }
}
