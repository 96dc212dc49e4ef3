package dev.zeroserve.api.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.zeroserve.inference.BoundedMessage;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerResponse;

/**
 * gRPC message encodings. Vert.x's gRPC server decodes identity and gzip only and fails any other with an INTERNAL
 * error that loses the reason; gRPC's compression spec asks for UNIMPLEMENTED naming the encodings the server
 * accepts instead, which clients such as tritonclient's {@code compression_algorithm="deflate"} then report.
 */
@ApplicationScoped
public class GrpcEncodings {
    static final Set<String> DECODED = Set.of("identity", "gzip");
    static final String ACCEPTED = "gzip";
    private static final int UNIMPLEMENTED = 12;
    /** Ahead of the gRPC route, right behind GrpcExchanges. */
    private static final int PRIORITY = Integer.MAX_VALUE - 2;

    void refuseUnknown(@Observes Filters filters) {
        filters.register(context -> {
            String type = context.request().getHeader("content-type");
            String encoding = context.request().getHeader("grpc-encoding");
            if (type == null || !type.startsWith("application/grpc") || encoding == null
                    || DECODED.contains(encoding.trim().toLowerCase(Locale.ROOT))) {
                context.next();
                return;
            }
            HttpServerResponse response = context.response();
            response.putHeader("content-type", "application/grpc").putHeader("grpc-accept-encoding", ACCEPTED)
                    .putTrailer("grpc-status", Integer.toString(UNIMPLEMENTED))
                    .putTrailer("grpc-message", percentEncoded(BoundedMessage.of("grpc-encoding '" + encoding
                            + "' is not supported; messages may be compressed with gzip or sent uncompressed")))
                    .end();
        }, PRIORITY);
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
