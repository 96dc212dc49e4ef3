package dev.zeroserve.api.transport.grpc;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Prioritized;

import dev.zeroserve.api.transport.TransportOrder;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.smallrye.common.vertx.ContextLocals;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps each gRPC call's HTTP/2 exchange in its Vert.x context, and answers every call through an {@link OpenStream},
 * so that nothing is written to a stream its client has reset: a late answer to such a call would cut the whole
 * connection (quarkusio/quarkus#56268, see {@link OpenStream}). The service method finds its exchange here too, to
 * settle what its message holds of the in-flight budget.
 */
@ApplicationScoped
@GlobalInterceptor
public class GrpcExchanges implements ServerInterceptor, Prioritized {
    private static final String KEY = GrpcExchanges.class.getName();
    /** Ahead of the gRPC route, after the in-flight budget's admission. */
    private static final int PRIORITY = TransportOrder.filterPriority(TransportOrder.GRPC_EXCHANGES);

    void keep(@Observes Filters filters) {
        filters.register(context -> {
            String type = context.request().getHeader("content-type");
            if (type != null && type.startsWith("application/grpc")) {
                ContextLocals.put(KEY, context);
            }
            context.next();
        }, PRIORITY);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Optional<RoutingContext> exchange = ContextLocals.get(KEY);
        Context context = Vertx.currentContext();
        if (exchange.isEmpty() || context == null || !context.isEventLoopContext()) {
            return next.startCall(call, headers);
        }
        AnsweredWhileOpen<Q, R> guarded = new AnsweredWhileOpen<>(call,
                new OpenStream(exchange.get().response(), context));
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(guarded, headers)) {
            @Override
            public void onMessage(Q message) {
                guarded.listening(() -> super.onMessage(message));
            }

            @Override
            public void onHalfClose() {
                guarded.listening(super::onHalfClose);
            }

            @Override
            public void onCancel() {
                guarded.listening(super::onCancel);
            }

            @Override
            public void onComplete() {
                guarded.listening(super::onComplete);
            }

            @Override
            public void onReady() {
                guarded.listening(() -> {
                    guarded.ready();
                    super.onReady();
                });
            }
        };
    }

    @Override
    public int getPriority() {
        return TransportOrder.GRPC_EXCHANGES_INTERCEPTOR;
    }

    /** The current call's exchange, or null outside a call. */
    public static RoutingContext current() {
        Optional<RoutingContext> exchange = ContextLocals.get(KEY);
        return exchange.orElse(null);
    }

    /**
     * A call whose headers, messages and close reach the transport only while its stream is open (see
     * {@link OpenStream}), and whose close waits while its message is still held by HTTP/2 flow control (the client's
     * window is smaller than the answer): the trailers would wait behind it with a void promise, and a reset then
     * would cut the connection. The message's own write fails quietly if the client resets the stream meanwhile, and
     * the trailers are then not written.
     */
    private static final class AnsweredWhileOpen<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final OpenStream stream;
        /** The close waiting for the message to leave flow control; touched on the event loop only. */
        private Runnable heldClose;
        /**
         * Listener callbacks running: what the call writes meanwhile may be written while its connection is being
         * read (a call answered at once), so it waits for a turn of its own. Set and read on the thread that runs the
         * callback; a write on another thread hops to the event loop anyway.
         */
        private int listening;

        AnsweredWhileOpen(ServerCall<Q, R> call, OpenStream stream) {
            super(call);
            this.stream = stream;
        }

        void listening(Runnable callback) {
            listening++;
            try {
                callback.run();
            } finally {
                listening--;
            }
        }

        private void write(Runnable write) {
            if (listening > 0) {
                stream.write(write);
            } else {
                stream.writeOutsideRead(write);
            }
        }

        @Override
        public void sendHeaders(Metadata headers) {
            write(() -> delegate().sendHeaders(headers));
        }

        @Override
        public void sendMessage(R message) {
            write(() -> delegate().sendMessage(message));
        }

        @Override
        public void close(Status status, Metadata trailers) {
            write(new Runnable() {
                @Override
                public void run() {
                    if (delegate().isReady()) {
                        delegate().close(status, trailers);
                    } else {
                        heldClose = this;
                    }
                }
            });
        }

        /** The stream can take more: the message has left flow control, and a held close can follow it. */
        void ready() {
            Runnable close = heldClose;
            if (close != null) {
                heldClose = null;
                stream.write(close);
            }
        }

        /** Also once the client has reset the stream, whether or not Vert.x has reported it yet. */
        @Override
        public boolean isCancelled() {
            return stream.resetBeforeAnswer() || super.isCancelled();
        }
    }
}
