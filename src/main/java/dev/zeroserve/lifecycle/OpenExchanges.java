package dev.zeroserve.lifecycle;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
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
    /** Ahead of every other filter and route. */
    private static final int FIRST = Integer.MAX_VALUE;

    /**
     * Open exchanges by epoch: 0 until the drain begins, 1 after. The drain waits for epoch 0 only, so that the
     * refusals of requests still arriving (a gRPC client keeps its connection until GOAWAY) cannot keep it waiting.
     */
    private final AtomicInteger[] open = { new AtomicInteger(), new AtomicInteger() };
    private volatile int epoch;
    /** Held weakly: a closed connection is collected without the close handler, which Quarkus may own. */
    private final Set<HttpConnection> http2Connections = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    /**
     * Exchanges not yet ended, by connection. An exchange also ends when its connection closes: a body over the limit
     * without a Content-Length is refused while it arrives and its connection closed, and the exchange's end handler
     * then never runs.
     */
    private final Map<HttpConnection, Set<Exchange>> byConnection = Collections.synchronizedMap(new WeakHashMap<>());

    /** One exchange, ended once, whichever of its end and its connection's close comes first. */
    private final class Exchange {
        private final AtomicInteger counter;
        private final HttpConnection connection;
        private final AtomicBoolean ended = new AtomicBoolean();

        Exchange(AtomicInteger counter, HttpConnection connection) {
            this.counter = counter;
            this.connection = connection;
            counter.incrementAndGet();
        }

        void end() {
            if (ended.compareAndSet(false, true)) {
                counter.decrementAndGet();
                Set<Exchange> open = byConnection.get(connection);
                if (open != null) {
                    open.remove(this);
                }
            }
        }
    }

    void count(@Observes Filters filters) {
        filters.register(context -> {
            HttpConnection connection = context.request().connection();
            Exchange exchange = new Exchange(open[epoch], connection);
            openOn(connection).add(exchange);
            context.addEndHandler(ended -> exchange.end());
            if (context.request().version() == HttpVersion.HTTP_2) {
                http2Connections.add(connection);
            }
            context.next();
        }, FIRST);
    }

    /** The connection's open exchanges, ended all at once when it closes (one close listener per connection). */
    private Set<Exchange> openOn(HttpConnection connection) {
        return byConnection.computeIfAbsent(connection, added -> {
            Set<Exchange> open = ConcurrentHashMap.newKeySet();
            if (added instanceof ConnectionBase base) {
                base.closeFuture().onComplete(closed -> {
                    List.copyOf(open).forEach(Exchange::end);
                    byConnection.remove(added);
                });
            }
            return open;
        });
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
        List<HttpConnection> connections;
        synchronized (http2Connections) {
            connections = List.copyOf(http2Connections);
        }
        long start = System.nanoTime();
        List<Future<Void>> closed = connections.stream()
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
