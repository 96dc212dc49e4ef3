package dev.zeroserve.api.transport.grpc;

import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.zeroserve.api.transport.Refusals;
import dev.zeroserve.api.transport.TransportOrder;
import io.grpc.Status;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpVersion;

/**
 * gRPC message encodings, decided for each call before Vert.x's gRPC server sees it. Uncompressed calls go to Vert.x;
 * gzip and deflate, which Triton's clients offer, are inflated by {@link CompressedCalls} within the message bound and
 * the in-flight budget (Vert.x inflates gzip with no bound, and deflate not at all); any other is
 * answered UNIMPLEMENTED naming the encodings accepted, as gRPC's compression spec asks (Vert.x failed it INTERNAL,
 * losing the reason).
 */
@ApplicationScoped
public class GrpcEncodings {
    private static final Set<String> INFLATED_HERE = Set.of("gzip", "deflate");

    private final CompressedCalls compressed;

    GrpcEncodings(CompressedCalls compressed) {
        this.compressed = compressed;
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
            if (normalized.equals("identity")) {
                context.next();
            } else if (INFLATED_HERE.contains(normalized) && context.request().version() == HttpVersion.HTTP_2
                    && (type.equals("application/grpc") || type.startsWith("application/grpc+"))) {
                compressed.relay(context, normalized);
            } else {
                Refusals.trailersOnly(context.response(), Status.Code.UNIMPLEMENTED, "grpc-encoding '" + encoding + "' is not "
                        + "supported; messages may be compressed with gzip or deflate or sent uncompressed");
            }
        }, TransportOrder.filterPriority(TransportOrder.GRPC_ENCODINGS));
    }
}
