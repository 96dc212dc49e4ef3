package dev.zeroserve.api.transport.grpc;

import java.io.OutputStream;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.zeroserve.api.transport.RequestBodies;
import dev.zeroserve.api.transport.InFlightBudget;
import dev.zeroserve.api.transport.Refusals;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.serving.EventLoopWork;
import dev.zeroserve.serving.InferenceService;
import dev.zeroserve.api.grpc.GrpcErrors;
import io.grpc.StatusRuntimeException;
import io.netty.handler.codec.http2.Http2Error;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
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
public class CompressedCalls {
    private static final Logger LOG = Logger.getLogger(CompressedCalls.class);
    /** Headers of the client's request that do not describe the relayed one (grpc-timeout is rewritten). */
    private static final Set<String> NOT_RELAYED = Set.of("grpc-encoding", "content-length", "host",
            DeadlineInterceptor.TIMEOUT_HEADER);
    private static final String LIMIT = "quarkus.grpc.server.max-inbound-message-size";
    private static final String RESET_LIMIT = "quarkus.http.limits.rst-flood-max-rst-frame-per-window";
    /** Vert.x's default for {@value #RESET_LIMIT}, per 30 s window. */
    private static final int DEFAULT_RESET_LIMIT = 200;
    /**
     * How long a retired loopback connection's calls have to finish: as long as a request may ask to wait (a day); it
     * closes as soon as its last call ends.
     */
    private static final long RETIRED_DRAIN_HOURS = 24;

    /**
     * Heap held per inflated byte: the frame's buffer, which grows by doubling up to 4 MiB and by 4 MiB steps after,
     * and the array it leaves behind as it grows.
     */
    private static final int INFLATED_FACTOR = 2;

    private final Vertx vertx;
    private final long maxMessageBytes;
    private final InFlightBudget budget;
    private volatile HttpClient loopback;
    /**
     * Every relayed call shares a loopback connection, so every client's reset is one more on it: past the server's
     * limit on resets per connection (a defence against rapid-reset floods, {@value #RESET_LIMIT}) the server would
     * cut it, and every deflate call in flight with it. A connection is retired (GOAWAY: its calls finish, new ones
     * take a new connection) once it has carried half as many.
     */
    private final int resetsPerConnection;
    private final Map<HttpConnection, Integer> resets = new ConcurrentHashMap<>();

    CompressedCalls(Vertx vertx, @ConfigProperty(name = LIMIT) int maxMessageBytes, InFlightBudget budget,
            @ConfigProperty(name = RESET_LIMIT) OptionalInt resetLimit) {
        this.vertx = vertx;
        this.maxMessageBytes = maxMessageBytes;
        this.budget = budget;
        this.resetsPerConnection = Math.max(1, resetLimit.orElse(DEFAULT_RESET_LIMIT) / 2);
    }

    /**
     * Reads the call's body, inflates its message from {@code coding} and relays it; the client gets the relayed
     * call's answer.
     */
    void relay(RoutingContext context, String coding) {
        HttpServerRequest request = context.request();
        long arrived = System.nanoTime();
        // Every answer to the client, relayed or refused, is written only while its stream is open (see OpenStream).
        OpenStream client = new OpenStream(context.response(), Vertx.currentContext());
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
                answer(context, client, e);
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
                            answer(context, client, InferenceService.unwrap(failure));
                        } else {
                            budget.keepOnly(context, frame.length());
                            send(context, client, frame, arrived);
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

    private void send(RoutingContext context, OpenStream client, Buffer frame, long arrived) {
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
                answer(context, client, new InferenceException(Status.DEADLINE_EXCEEDED, "the request's deadline "
                        + "passed before it ran"));
                return;
            }
            options.addHeader(DeadlineInterceptor.TIMEOUT_HEADER, timeoutHeader(remaining));
        }
        relay(context, client, options, frame, true);
    }

    /**
     * Sends the relayed call and forwards its answer. A loopback connection being retired (or closed by the server)
     * can fail the call before it is answered (Netty's Http2Exception "Attempted to create stream id N after
     * connection was closed", Vert.x's "Connection was closed", a refused stream); then the call is sent once more, on
     * a fresh connection. Every method here only reads, so a call run twice answers the same.
     */
    private void relay(RoutingContext context, OpenStream client, RequestOptions options, Buffer frame,
            boolean mayRetry) {
        loopback().request(options)
                .compose(relayed -> {
                    // Its failures (a reset among them) reach the futures below; without a handler Vert.x logs them.
                    relayed.exceptionHandler(failure -> {
                    });
                    if (context.response().closed()) {
                        cancel(relayed); // the client reset its stream while the relayed one was being opened
                    } else {
                        context.response().closeHandler(closed -> cancel(relayed));
                    }
                    return relayed.send(frame);
                })
                .onComplete(sent -> {
                    if (sent.failed()) {
                        if (mayRetry && !context.response().closed()) {
                            LOG.debugf("A relayed call failed before its answer, sent again: %s", sent.cause());
                            relay(context, client, options, frame, false);
                        } else {
                            notRelayed(context, client, sent.cause());
                        }
                        return;
                    }
                    HttpClientResponse response = sent.result();
                    response.body()
                            .onSuccess(answer -> client.write(() -> forward(client, context.response(), response,
                                    answer)))
                            .onFailure(failure -> notRelayed(context, client, failure));
                });
    }

    private static void notRelayed(RoutingContext context, OpenStream client, Throwable failure) {
        if (context.response().closed() || context.response().headWritten()) {
            return; // the client went away, and the relayed call with it
        }
        LOG.warnf("A compressed gRPC call could not be relayed over this server's port: %s", failure);
        answer(context, client, new InferenceException(Status.UNAVAILABLE, "the compressed call could not be "
                + "relayed: " + failure.getMessage()));
    }

    /** Resets the relayed call as its client did (CANCEL), retiring its connection when it has carried enough. */
    private void cancel(HttpClientRequest relayed) {
        relayed.reset(Http2Error.CANCEL.code());
        HttpConnection connection = relayed.connection();
        if (resets.merge(connection, 1, Integer::sum) == resetsPerConnection) {
            connection.shutdown(RETIRED_DRAIN_HOURS, TimeUnit.HOURS).onComplete(closed -> resets.remove(connection));
        }
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

    /**
     * The relayed answer, as it came. Its message goes first and its trailers only once the message has left HTTP/2
     * flow control: Vert.x writes trailers with a void promise, and trailers still waiting there when the client
     * resets its stream would cut the client's connection (see OpenStream); the message's own write fails quietly.
     */
    private static void forward(OpenStream client, HttpServerResponse out, HttpClientResponse response,
            Buffer answer) {
        out.setStatusCode(response.statusCode());
        response.headers().forEach(header -> out.headers().add(header.getKey(), header.getValue()));
        out.headers().set("grpc-accept-encoding", Refusals.GRPC_ACCEPTED_ENCODINGS);
        response.trailers().forEach(trailer -> out.putTrailer(trailer.getKey(), trailer.getValue()));
        if (answer.length() == 0 || response.trailers().isEmpty()) {
            out.end(answer);
        } else {
            out.write(answer).onSuccess(written -> client.write(out::end));
        }
    }

    /** The status and message of {@code failure}, as a trailers-only gRPC response. */
    private static void answer(RoutingContext context, OpenStream client, InferenceException failure) {
        StatusRuntimeException status = GrpcErrors.toStatus(failure);
        client.write(() -> Refusals.trailersOnly(context.response(), status.getStatus().getCode(),
                status.getStatus().getDescription()));
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
