package dev.zeroserve.api.transport;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.zeroserve.lifecycle.DrainingConnections;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/**
 * HTTP exchanges (REST and gRPC calls alike) whose response has not been fully handed to the connection, and the
 * HTTP/2 connections that carry them. The drain waits for the first to reach zero and then closes the second
 * gracefully, so that the last answers leave before the server closes.
 * <p>
 * Quarkus's own drain ({@code quarkus.shutdown.timeout}, 3.33) does not do the second: it sends GOAWAY only on a
 * connection that carries a request after the shutdown began, and then stops the HTTP server, whose close (Vert.x 4.5
 * has no graceful one) cuts an answer still waiting for the client's flow-control window. The package documentation
 * has the evidence.
 */
@ApplicationScoped
public class OpenExchanges implements DrainingConnections {
    /** Every this many exchanges, the open ones are swept for those already answered or cut off. */
    private static final int SWEEP_EVERY = 1024;

    /**
     * Exchanges begun before the drain, by their response. The drain waits for these only, so that the refusals of
     * requests still arriving (a gRPC client keeps its connection until GOAWAY) cannot keep it waiting. A concurrent
     * set, not a lock: every request passes here, on whichever event loop owns its connection.
     */
    private final Set<HttpServerResponse> open = ConcurrentHashMap.newKeySet();
    private volatile boolean counting = true;
    private final AtomicLong begun = new AtomicLong();

    /**
     * HTTP/2 connections that carried an exchange. Weak: a closed connection is forgotten with its last reference,
     * as its close cannot be observed through a public API without taking the one close handler, which Quarkus owns
     * ({@code quarkus.http.limits.max-connections}).
     */
    private final Set<HttpConnection> http2 = Collections.synchronizedSet(Collections.newSetFromMap(
            new WeakHashMap<>()));

    void count(@Observes Filters filters) {
        filters.register(context -> {
            if (context.request().version() == HttpVersion.HTTP_2) {
                http2.add(context.request().connection());
            }
            if (counting) {
                HttpServerResponse response = context.response();
                open.add(response);
                context.addEndHandler(ended -> open.remove(response));
                if (begun.incrementAndGet() % SWEEP_EVERY == 0) {
                    sweep();
                }
            }
            context.next();
        }, TransportOrder.filterPriority(TransportOrder.OPEN_EXCHANGES));
    }

    /**
     * Forgets the exchanges already answered or cut off whose end handler did not run: a body over the limit without
     * a Content-Length is refused by Quarkus while it arrives and its connection closed, and the handler that ends
     * the exchange is replaced on the way (Vert.x keeps one per response).
     */
    private void sweep() {
        open.removeIf(response -> response.ended() || response.closed());
    }

    /**
     * Exchanges from here on are no longer waited for. Called once admission has stopped, so every admitted request's
     * exchange, which began before its admission, is among those still counted.
     */
    @Override
    public void stopCounting() {
        counting = false;
    }

    /** Exchanges begun before {@link #stopCounting()} whose response has not been handed to the connection yet. */
    @Override
    public int open() {
        sweep();
        return open.size();
    }

    /**
     * Sends GOAWAY on every HTTP/2 connection and waits until each has sent its last response, closing the ones
     * still open when the timeout passes. An ended response may still wait for the client's HTTP/2 flow-control
     * window (a large tensor does); the server's own close would cut it off. A connection already closed completes
     * at once.
     *
     * @return whether every connection closed by itself within the timeout
     */
    @Override
    public boolean closeHttp2Connections(long timeoutMillis) throws InterruptedException {
        List<HttpConnection> connections;
        synchronized (http2) {
            connections = List.copyOf(http2);
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
