package dev.zeroserve.api.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.zeroserve.inference.BoundedMessage;
import io.grpc.Status;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * gRPC message encodings, decided for each call before Vert.x's gRPC server sees it. Vert.x decodes identity and gzip
 * itself; deflate, which Triton's clients offer and Vert.x cannot, is decoded by {@link DeflatedCalls}; any other is
 * answered UNIMPLEMENTED naming the encodings accepted, as gRPC's compression spec asks (Vert.x failed it INTERNAL,
 * losing the reason).
 */
@ApplicationScoped
public class GrpcEncodings {
    static final Set<String> DECODED_BY_VERTX = Set.of("identity", "gzip");
    /** grpc-accept-encoding: what a client may compress its messages with. */
    static final String ACCEPTED = "gzip,deflate";
    /** Ahead of the gRPC route, behind OpenExchanges. */
    private static final int PRIORITY = Integer.MAX_VALUE - 2;

    private final DeflatedCalls deflated;

    GrpcEncodings(DeflatedCalls deflated) {
        this.deflated = deflated;
    }

    void decide(@Observes Filters filters) {
        filters.register(context -> {
            String type = context.request().getHeader("content-type");
            if (type == null || !type.startsWith("application/grpc")) {
                context.next();
                return;
            }
            String encoding = context.request().getHeader("grpc-encoding");
            if (encoding == null) {
                // Vert.x throws (an ERROR with 40 lines of stack) at a compressed flag without an encoding; as
                // identity, such a message is one whose bytes do not parse, answered as MalformedMessages says.
                context.request().headers().set("grpc-encoding", "identity");
                context.next();
                return;
            }
            String normalized = encoding.trim().toLowerCase(Locale.ROOT);
            if (DECODED_BY_VERTX.contains(normalized)) {
                context.next();
            } else if (normalized.equals("deflate") && context.request().version() == HttpVersion.HTTP_2
                    && (type.equals("application/grpc") || type.startsWith("application/grpc+"))) {
                deflated.relay(context);
            } else {
                trailersOnly(context.response(), Status.Code.UNIMPLEMENTED, "grpc-encoding '" + encoding + "' is not "
                        + "supported; messages may be compressed with gzip or deflate or sent uncompressed");
            }
        }, PRIORITY);
    }

    /** A gRPC answer without a message: the status in the headers, with the encodings this server accepts. */
    static void trailersOnly(HttpServerResponse response, Status.Code status, String message) {
        response.putHeader("content-type", "application/grpc").putHeader("grpc-accept-encoding", ACCEPTED)
                .putHeader("grpc-status", Integer.toString(status.value()))
                .putHeader("grpc-message", percentEncoded(BoundedMessage.of(message))).end();
    }

    /** grpc-message's encoding: printable ASCII except '%' as is, every other UTF-8 byte as %XX. */
    static String percentEncoded(String message) {
        StringBuilder encoded = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b <= 0x7e && b != '%') {
                encoded.append((char) b);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }
}
