package dev.zeroserve.api.transport;

import java.nio.charset.StandardCharsets;

import org.jboss.logging.Logger;

import dev.zeroserve.api.openai.OpenAiErrors;
import dev.zeroserve.inference.BoundedMessage;
import io.grpc.Status;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers a request from the transport, before any protocol adapter has seen it, in the shape its client reads: a
 * trailers-only gRPC status for gRPC calls, OpenAI's error document under {@code /v1/}, {@code {"error": "..."}}
 * elsewhere.
 */
public final class Refusals {
    private static final Logger LOG = Logger.getLogger(Refusals.class);
    /** grpc-accept-encoding: what a client may compress its messages with. */
    public static final String GRPC_ACCEPTED_ENCODINGS = "gzip,deflate";

    private Refusals() {
    }

    public static boolean isGrpc(RoutingContext context) {
        String type = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.startsWith("application/grpc");
    }

    /**
     * Answers before the body is read. Over HTTP/1.1 the connection is closed after the answer, as the unread body
     * would be taken for the next request; over HTTP/2 only the stream ends.
     */
    public static void refuseUnread(RoutingContext context, int httpStatus, Status.Code grpcStatus, String message) {
        boolean closeAfter = context.request().version() != HttpVersion.HTTP_2 && mayHaveBody(context);
        if (closeAfter) {
            context.response().putHeader(HttpHeaders.CONNECTION, "close");
        }
        answer(context, httpStatus, grpcStatus, message, false).onComplete(done -> {
            if (closeAfter) {
                context.request().connection().close();
            }
        });
    }

    private static boolean mayHaveBody(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        return context.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
                || (length != null && !length.trim().equals("0"));
    }

    /**
     * Answers from the headers; the body, bounded by the size limit, is read and dropped so that the connection can
     * carry the next request.
     */
    public static Future<Void> refuse(RoutingContext context, int httpStatus, Status.Code grpcStatus, String message) {
        return answer(context, httpStatus, grpcStatus, message, true);
    }

    private static Future<Void> answer(RoutingContext context, int httpStatus, Status.Code grpcStatus, String message,
            boolean drainBody) {
        LOG.debugf("Answered %d: %s", httpStatus, message);
        if (drainBody) {
            context.request().resume();
        }
        if (isGrpc(context)) {
            return trailersOnly(context.response(), grpcStatus, message);
        }
        String body = OpenAiErrors.covers(context.normalizedPath()) ? OpenAiErrors.json(httpStatus, message)
                : new JsonObject().put("error", message).encode();
        return context.response().setStatusCode(httpStatus)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }

    /** A gRPC answer without a message: the status in the headers, with the encodings this server accepts. */
    public static Future<Void> trailersOnly(HttpServerResponse response, Status.Code status, String message) {
        return response.putHeader("content-type", "application/grpc")
                .putHeader("grpc-accept-encoding", GRPC_ACCEPTED_ENCODINGS)
                .putHeader("grpc-status", Integer.toString(status.value()))
                .putHeader("grpc-message", percentEncoded(BoundedMessage.of(message))).end();
    }

    /** grpc-message's encoding: printable ASCII except '%' as is, every other UTF-8 byte as %XX. */
    public static String percentEncoded(String message) {
        StringBuilder encoded = new StringBuilder(message.length());
        for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b <= 0x7e && b != '%') {
                encoded.append((char) b);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }
}
