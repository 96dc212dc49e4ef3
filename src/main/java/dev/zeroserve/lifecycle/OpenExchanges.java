package dev.zeroserve.lifecycle;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;

/**
 * HTTP exchanges (REST and gRPC calls alike) whose response has not been fully sent. The drain waits for it to reach
 * zero, so that the last answers leave before the server closes.
 */
@ApplicationScoped
public class OpenExchanges {
    /** Ahead of every other filter and route. */
    private static final int FIRST = Integer.MAX_VALUE;

    private final AtomicInteger open = new AtomicInteger();

    void count(@Observes Filters filters) {
        filters.register(context -> {
            open.incrementAndGet();
            context.addEndHandler(ended -> open.decrementAndGet());
            context.next();
        }, FIRST);
    }

    public int open() {
        return open.get();
    }
}
