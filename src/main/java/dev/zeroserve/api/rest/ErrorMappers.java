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
import io.vertx.core.http.HttpServerRequest;

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

    private static Response error(String path, int status, String message) {
        return OpenAiErrors.covers(path) ? OpenAiErrors.response(status, message, null, null) : error(status, message);
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new V2Json.ErrorBody(message)).build();
    }
}
