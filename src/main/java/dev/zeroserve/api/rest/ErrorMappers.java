package dev.zeroserve.api.rest;

import java.util.concurrent.CompletionException;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceService;
import dev.zeroserve.inference.Status;

/** Every REST failure leaves as {@code {"error": "..."}} with the status code the v2 protocol gives it. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response inferenceFailure(InferenceException e) {
        if (e.status() == Status.INTERNAL) {
            LOG.error("Inference failed", e);
        }
        Response response = error(e.status().httpStatus(), e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            response.getHeaders().putSingle(HttpHeaders.RETRY_AFTER, e.retryAfterSeconds());
        }
        return response;
    }

    @ServerExceptionMapper
    public Response stageFailure(CompletionException e) {
        return inferenceFailure(InferenceService.unwrap(e));
    }

    @ServerExceptionMapper
    public Response webFailure(WebApplicationException e) {
        return error(e.getResponse().getStatus(), e.getMessage());
    }

    static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new V2Json.ErrorBody(message)).build();
    }
}
