package dev.zeroserve.api.grpc;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.zeroserve.api.HttpClientGone;
import dev.zeroserve.api.http.TransportOrder;
import dev.zeroserve.serving.ClientGone;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.ContextLocals;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps each gRPC call's HTTP/2 exchange in its Vert.x context, so that the endpoint learns when the client resets the
 * stream. Vert.x's gRPC server does not tell a unary call that its client cancelled once the request has arrived
 * (eclipse-vertx/vert.x#5562), so grpc-java's cancel handler never runs; the exchange's end handler does.
 */
@ApplicationScoped
public class GrpcExchanges {
    private static final String KEY = GrpcExchanges.class.getName();

    void keep(@Observes Filters filters) {
        filters.register(context -> {
            String type = context.request().getHeader("content-type");
            if (type != null && type.startsWith("application/grpc")) {
                ContextLocals.put(KEY, context);
            }
            context.next();
        }, TransportOrder.filterPriority(TransportOrder.GRPC_EXCHANGES));
    }

    /** The current call's exchange, or null outside a call. */
    static RoutingContext current() {
        Optional<RoutingContext> exchange = ContextLocals.get(KEY);
        return exchange.orElse(null);
    }

    /** The current call's {@link ClientGone}: its stream reset or connection closed before the answer. */
    static ClientGone clientGone() {
        Optional<RoutingContext> exchange = ContextLocals.get(KEY);
        return exchange.map(HttpClientGone::of).orElse(ClientGone.NEVER);
    }
}
