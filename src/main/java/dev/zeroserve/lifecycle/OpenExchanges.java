package dev.zeroserve.lifecycle;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpVersion;

/**
 * HTTP exchanges (REST and gRPC calls alike) whose response has not been fully handed to the connection, and the
 * HTTP/2 connections that carry them. The drain waits for the first to reach zero and then closes the second
 * gracefully, so that the last answers leave before the server closes.
 */
@ApplicationScoped
public class OpenExchanges {
    /** Ahead of every other filter and route. */
    private static final int FIRST = Integer.MAX_VALUE;

    private final AtomicInteger open = new AtomicInteger();
    /** Held weakly: a closed connection is collected without the close handler, which Quarkus may own. */
    private final Set<HttpConnection> http2Connections = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    void count(@Observes Filters filters) {
        filters.register(context -> {
            open.incrementAndGet();
            context.addEndHandler(ended -> open.decrementAndGet());
            if (context.request().version() == HttpVersion.HTTP_2) {
                http2Connections.add(context.request().connection());
            }
            context.next();
        }, FIRST);
    }

    public int open() {
        return open.get();
    }

    /**
     * Sends GOAWAY on every HTTP/2 connection and waits until each has sent its last response or the timeout passes.
     * An ended response may still wait for the client's HTTP/2 flow-control window (a large tensor does); the
     * server's own close would cut it off.
     *
     * @return whether every connection closed within the timeout
     */
    public boolean closeHttp2Connections(long timeoutMillis) throws InterruptedException {
        List<HttpConnection> connections;
        synchronized (http2Connections) {
            connections = List.copyOf(http2Connections);
        }
        List<Future<Void>> closed = connections.stream()
                .map(connection -> connection.shutdown(timeoutMillis, TimeUnit.MILLISECONDS)).toList();
        try {
            Future.join(closed).toCompletionStage().toCompletableFuture().get(timeoutMillis + 1000,
                    TimeUnit.MILLISECONDS);
            return closed.stream().allMatch(Future::succeeded);
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }
}
