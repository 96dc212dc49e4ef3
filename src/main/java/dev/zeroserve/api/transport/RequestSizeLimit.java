package dev.zeroserve.api.transport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.grpc.Status;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Refuses a request whose declared length exceeds the body limit with 413 and a JSON error before reading it, in the
 * error shape of the API it was for.
 * Quarkus enforces the same limit on bodies without a declared length, with an empty 413.
 */
@ApplicationScoped
public class RequestSizeLimit {
    private final long maxBodyBytes;

    RequestSizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(TransportOrder.BODY_SIZE).handler(context -> {
            String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && exceedsLimit(declared)) {
                Refusals.refuseUnread(context, 413, Status.Code.RESOURCE_EXHAUSTED, "request body of " + declared + " bytes exceeds the limit of "
                        + maxBodyBytes + " bytes (quarkus.http.limits.max-body-size)");
                return;
            }
            context.next();
        });
    }

    private boolean exceedsLimit(String declared) {
        try {
            return Long.parseLong(declared.trim()) > maxBodyBytes;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
