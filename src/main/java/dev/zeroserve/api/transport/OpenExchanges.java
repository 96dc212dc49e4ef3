package dev.zeroserve.api.transport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * HTTP exchanges (REST and gRPC calls alike) whose response has not been fully handed to the connection, and the
 * HTTP/2 connections that carry them. The drain waits for the first to reach zero and then closes the second
 * gracefully, so that the last answers leave before the server closes.
 */
@ApplicationScoped
public class OpenExchanges {

    /**
     * Open exchanges by epoch: 0 until the drain begins, 1 after. The drain waits for epoch 0 only, so that the
     * refusals of requests still arriving (a gRPC client keeps its connection until GOAWAY) cannot keep it waiting.
     */
    private final AtomicInteger[] open = { new AtomicInteger(), new AtomicInteger() };
    private volatile int epoch;

    /**
     * Connections that carried an exchange, until they close. A concurrent map, not a lock: every request passes here,
     * on whichever event loop owns its connection.
     */
    private final Map<HttpConnection, Connection> connections = new ConcurrentHashMap<>();

    /**
     * A connection's exchanges not yet ended. An exchange also ends when its connection closes: a body over the limit
     * without a Content-Length is refused while it arrives and its connection closed, and the exchange's end handler
     * then never runs.
     */
    private static final class Connection {
        final Set<Exchange> open = ConcurrentHashMap.newKeySet();
        /** A connection keeps its protocol: an h2c upgrade continues on a connection of its own. */
        final boolean http2;
        volatile boolean closed;

        Connection(boolean http2) {
            this.http2 = http2;
        }

        void close() {
            closed = true;
            List.copyOf(open).forEach(Exchange::end);
        }
    }

    /** One exchange, ended once, whichever of its end and its connection's close comes first. */
    private static final class Exchange {
        private final AtomicInteger counter;
        private final Connection connection;
        private final AtomicBoolean ended = new AtomicBoolean();

        Exchange(AtomicInteger counter, Connection connection) {
            this.counter = counter;
            this.connection = connection;
            counter.incrementAndGet();
            if (connection != null) {
                connection.open.add(this);
                if (connection.closed) {
                    end(); // closed before it could see this exchange
                }
            }
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                counter.decrementAndGet();
                if (connection != null) {
                    connection.open.remove(this);
                }
            }
        }
    }

    void count(@Observes Filters filters) {
        filters.register(context -> {
            Connection connection = tracked(context.request().connection(),
                    context.request().version() == HttpVersion.HTTP_2);
            Exchange exchange = new Exchange(open[epoch], connection);
            context.addEndHandler(ended -> exchange.end());
            context.next();
        }, TransportOrder.filterPriority(TransportOrder.OPEN_EXCHANGES));
    }

    /**
     * The connection's state, with one close listener per connection that ends its open exchanges and forgets it;
     * null for a connection whose close cannot be observed without taking its close handler, which Quarkus owns
     * (every Vert.x 4 connection can be): its exchanges then end by their end handlers only.
     */
    private Connection tracked(HttpConnection connection, boolean http2) {
        Connection known = connections.get(connection);
        if (known != null || !(connection instanceof ConnectionBase base)) {
            return known;
        }
        Connection created = new Connection(http2);
        known = connections.putIfAbsent(connection, created);
        if (known != null) {
            return known;
        }
        // Outside the map's update: a connection already closed completes the listener at once.
        base.closeFuture().onComplete(closed -> {
            connections.remove(connection);
            created.close();
        });
        return created;
    }

    /**
     * Exchanges from here on are no longer waited for. Called once admission has stopped, so every admitted request's
     * exchange, which began before its admission, is among those still counted.
     */
    public void stopCounting() {
        epoch = 1;
    }

    /** Exchanges begun before {@link #stopCounting()} whose response has not been handed to the connection yet. */
    public int open() {
        return open[0].get();
    }

    /**
     * Sends GOAWAY on every HTTP/2 connection and waits until each has sent its last response, closing the ones
     * still open when the timeout passes. An ended response may still wait for the client's HTTP/2 flow-control
     * window (a large tensor does); the server's own close would cut it off.
     *
     * @return whether every connection closed by itself within the timeout
     */
    public boolean closeHttp2Connections(long timeoutMillis) throws InterruptedException {
        List<HttpConnection> http2 = connections.entrySet().stream().filter(entry -> entry.getValue().http2)
                .map(Map.Entry::getKey).toList();
        long start = System.nanoTime();
        List<Future<Void>> closed = http2.stream()
                .map(connection -> connection.shutdown(timeoutMillis, TimeUnit.MILLISECONDS)).toList();
        try {
            Future.join(closed).toCompletionStage().toCompletableFuture().get(timeoutMillis + 1000,
                    TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
        // A connection forced closed at the timeout completes as well: only the time tells the two apart.
        return closed.stream().allMatch(Future::succeeded)
                && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }
}
