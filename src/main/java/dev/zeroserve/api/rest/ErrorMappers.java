package dev.zeroserve.api.rest;

import java.util.concurrent.CompletionException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.zeroserve.api.AnsweredFailures;
import dev.zeroserve.api.openai.OpenAiErrors;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.serving.InferenceService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Every REST failure leaves as {@code {"error": "..."}} with the status code the v2 protocol gives it; the OpenAI API
 * has its own shape and mappers, and this class answers in it for what happens before its resource is reached.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response inferenceFailure(InferenceException e) {
        InferenceException answered = AnsweredFailures.answered(LOG, "Inference", e);
        Response response = error(answered.status().httpStatus(), answered.getMessage());
        if (answered.retryAfterSeconds() > 0) {
            response.getHeaders().putSingle(HttpHeaders.RETRY_AFTER, answered.retryAfterSeconds());
        }
        return response;
    }

    @ServerExceptionMapper
    public Response stageFailure(CompletionException e) {
        return inferenceFailure(InferenceService.unwrap(e));
    }

    /** Wrong method, path or media type; under /v1/ in OpenAI's shape, which its SDKs parse. */
    @ServerExceptionMapper
    public Response webFailure(WebApplicationException e, HttpServerRequest request) {
        return error(request.path(), e.getResponse().getStatus(), e.getMessage());
    }

    /** A bug, not the client's fault: logged, answered 500 with its error id in a JSON body rather than an empty one. */
    @ServerExceptionMapper
    public Response unexpectedFailure(RuntimeException e, HttpServerRequest request) {
        InferenceException answered = AnsweredFailures.answered(LOG, "Answering " + request.method() + " "
                + request.path(), e);
        return error(request.path(), answered.status().httpStatus(), answered.getMessage());
    }

    /**
     * Answers a request from its headers alone, before its body is read, in the error shape of the API it was for. Over
     * HTTP/1.1 the connection is closed after the answer, as the unread body would be taken for the next request.
     */
    static void refuseUnread(RoutingContext context, int status, String message) {
        boolean http1 = context.request().version() != HttpVersion.HTTP_2;
        if (http1) {
            context.response().putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, "close");
        }
        refuse(context, status, message).onComplete(done -> {
            if (http1) {
                context.request().connection().close();
            }
        });
    }

    /**
     * Answers a request from its headers alone, in the error shape of the API it was for; its body, bounded by the
     * size limit, is read and dropped, so that the connection can carry the next request.
     */
    static Future<Void> refuse(RoutingContext context, int status, String message) {
        LOG.debugf("Answered %d: %s", status, message);
        context.request().resume();
        String body = OpenAiErrors.covers(context.normalizedPath()) ? OpenAiErrors.json(status, message)
                : new JsonObject().put("error", message).encode();
        return context.response().setStatusCode(status)
                .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON).end(body);
    }

    private static Response error(String path, int status, String message) {
        return OpenAiErrors.covers(path) ? OpenAiErrors.response(status, message, null, null) : error(status, message);
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new V2Json.ErrorBody(message)).build();
    }
}
