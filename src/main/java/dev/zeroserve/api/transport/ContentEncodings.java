package dev.zeroserve.api.transport;

import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.grpc.Status;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * Content codings of REST bodies. Requests: gzip and deflate reach the inference endpoints, which inflate them
 * (RequestBodies); any other coding is refused here with 415 instead of reaching a codec as garbage. Responses: only inference answers are compressed ({@code @Compressed} on their
 * methods, as Triton does), and they say that they vary with {@code Accept-Encoding}; metadata and health never are,
 * as clients that turn their HTTP library's decompression off (tritonclient.http.aio) read them raw.
 */
@ApplicationScoped
public class ContentEncodings {
    private static final Pattern COMPRESSED_PATHS = Pattern.compile(
            "/v2/models/[^/]+(/versions/[^/]+)?/infer|/v1/embeddings");

    void install(@Observes Router router) {
        router.route().order(TransportOrder.CONTENT_ENCODINGS).handler(context -> {
            String encoding = context.request().getHeader(HttpHeaders.CONTENT_ENCODING);
            if (encoding != null && !RequestBodies.CODINGS.contains(encoding.trim().toLowerCase(Locale.ROOT))) {
                Refusals.refuse(context, 415, Status.Code.UNIMPLEMENTED, "Content-Encoding '" + encoding + "' is not supported; "
                        + "request bodies may be gzip or deflate");
                return;
            }
            if (COMPRESSED_PATHS.matcher(context.normalizedPath()).matches()) {
                context.response().putHeader(HttpHeaders.VARY, "Accept-Encoding");
            }
            context.next();
        });
    }
}
