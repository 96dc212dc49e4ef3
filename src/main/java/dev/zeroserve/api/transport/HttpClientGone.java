package dev.zeroserve.api.transport;

import dev.zeroserve.serving.ClientGone;
import io.vertx.ext.web.RoutingContext;

/** The REST adapters' {@link ClientGone}: the exchange ended without its response, as when the connection closed. */
public final class HttpClientGone {
    private HttpClientGone() {
    }

    public static ClientGone of(RoutingContext routing) {
        return abandon -> {
            if (routing.response().closed()) {
                abandon.run();
            } else {
                routing.addEndHandler(ended -> {
                    if (ended.failed()) {
                        abandon.run();
                    }
                });
            }
        };
    }
}
