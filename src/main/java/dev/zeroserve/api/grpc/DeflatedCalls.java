package dev.zeroserve.api.grpc;

import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.zeroserve.api.RequestBodies;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
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
 * gRPC calls with {@code grpc-encoding: deflate}, which Triton's clients offer. Vert.x 4.5's gRPC server takes its
 * decompressors from grpc-java's fixed default registry (gzip only) and cannot be given another, so such a call is
 * decoded here: its messages are inflated, with the same size bound as every gRPC message, and the call is passed on
 * uncompressed over this server's own port, as a decompressing proxy in front of it would (Envoy's decompressor
 * filter does this for servers that lack a codec). Every layer behind the port (interceptors, deadlines, tracing,
 * metrics) sees an ordinary call; the answer, trailers included, goes back unchanged. Only deflate calls pay the hop.
 */
@ApplicationScoped
public class DeflatedCalls {
    private static final Logger LOG = Logger.getLogger(DeflatedCalls.class);
    /** Headers of the client's request that do not describe the relayed one. */
    private static final Set<String> NOT_RELAYED = Set.of("grpc-encoding", "content-length", "host");
    private static final String LIMIT = "quarkus.grpc.server.max-inbound-message-size";

    private final Vertx vertx;
    private final long maxMessageBytes;
    private volatile HttpClient loopback;

    DeflatedCalls(Vertx vertx, @ConfigProperty(name = LIMIT) int maxMessageBytes) {
        this.vertx = vertx;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Reads the call's body, inflates its messages and relays it; the client gets the relayed call's answer. */
    void relay(RoutingContext context) {
        HttpServerRequest request = context.request();
        Buffer body = Buffer.buffer();
        boolean[] refused = { false };
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            // A message may be at most the limit, and a unary request is one message: a body past that is refused
            // as it arrives, not kept.
            if (body.length() + (long) chunk.length() > 5 + maxMessageBytes) {
                refused[0] = true;
                answer(context, new InferenceException(Status.PAYLOAD_TOO_LARGE, "the request is more than "
                        + maxMessageBytes + " bytes (" + LIMIT + ")"));
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(end -> {
            if (refused[0]) {
                return;
            }
            Buffer inflated;
            try {
                inflated = inflatedFrames(body);
            } catch (InferenceException e) {
                answer(context, e);
                return;
            }
            send(context, inflated);
        });
    }

    /** The body's frames with every compressed message inflated and its compressed flag cleared. */
    private Buffer inflatedFrames(Buffer body) {
        Buffer frames = Buffer.buffer(body.length());
        int at = 0;
        while (at < body.length()) {
            if (body.length() - at < 5) {
                throw InferenceException.invalid("the request ends inside a message's 5-byte prefix");
            }
            boolean compressed = body.getByte(at) == 1;
            long length = body.getUnsignedInt(at + 1);
            if (length > body.length() - at - 5L) {
                throw InferenceException.invalid("the request ended before a whole message: its length prefix "
                        + "declares " + length + " bytes, " + (body.length() - at - 5) + " were sent");
            }
            byte[] message = body.getBytes(at + 5, at + 5 + (int) length);
            if (compressed) {
                message = RequestBodies.inflated("message", "deflate", message, maxMessageBytes, LIMIT);
            }
            frames.appendByte((byte) 0).appendUnsignedInt(message.length).appendBytes(message);
            at += 5 + (int) length;
        }
        return frames;
    }

    private void send(RoutingContext context, Buffer frames) {
        HttpServerRequest request = context.request();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setHost(request.localAddress().hostAddress()).setPort(request.localAddress().port())
                .setURI(request.uri());
        request.headers().forEach(header -> {
            if (!NOT_RELAYED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(header.getKey(), header.getValue());
            }
        });
        loopback().request(options)
                .compose(relayed -> relayed.send(frames))
                .compose(response -> response.body().map(answer -> {
                    forward(context.response(), response, answer);
                    return answer;
                }))
                .onFailure(failure -> {
                    LOG.warnf("A deflate gRPC call could not be relayed over this server's port: %s", failure);
                    if (!context.response().headWritten()) {
                        answer(context, new InferenceException(Status.UNAVAILABLE, "the deflate-compressed call "
                                + "could not be relayed: " + failure.getMessage()));
                    }
                });
    }

    private static void forward(HttpServerResponse out, HttpClientResponse response, Buffer answer) {
        out.setStatusCode(response.statusCode());
        response.headers().forEach(header -> out.headers().add(header.getKey(), header.getValue()));
        out.headers().set("grpc-accept-encoding", GrpcEncodings.ACCEPTED);
        response.trailers().forEach(trailer -> out.putTrailer(trailer.getKey(), trailer.getValue()));
        out.end(answer);
    }

    /** The status and message of {@code failure}, as a trailers-only gRPC response. */
    private static void answer(RoutingContext context, InferenceException failure) {
        StatusRuntimeException status = GrpcErrors.toStatus(failure);
        GrpcEncodings.trailersOnly(context.response(), status.getStatus().getCode().value(),
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
