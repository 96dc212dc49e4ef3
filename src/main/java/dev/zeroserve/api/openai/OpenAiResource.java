package dev.zeroserve.api.openai;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.api.AnsweredFailures;
import dev.zeroserve.api.transport.HttpClientGone;
import dev.zeroserve.api.transport.RequestBodies;
import dev.zeroserve.inference.EmbeddingLimits;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InvalidEmbeddingRequest;
import dev.zeroserve.inference.Status;
import dev.zeroserve.serving.EventLoopWork;
import dev.zeroserve.serving.InferenceService;
import io.quarkus.vertx.http.Compressed;
import io.vertx.ext.web.RoutingContext;

/**
 * The OpenAI-compatible embeddings API: a thin adapter onto {@link InferenceService#embed}. Its failures leave in
 * OpenAI's shape ({@link OpenAiErrors}); the mappers below serve this resource only.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class OpenAiResource {
    private static final Logger LOG = Logger.getLogger(OpenAiResource.class);

    private final InferenceService inference;
    private final ObjectMapper mapper;
    private final RequestBodies bodies;
    private final EmbeddingLimits limits;
    private final JsonFactory requestJson;
    private final long created = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000;

    OpenAiResource(InferenceService inference, ObjectMapper mapper, RequestBodies bodies) {
        this.inference = inference;
        this.mapper = mapper;
        this.bodies = bodies;
        this.limits = inference.embeddingLimits();
        this.requestJson = EmbeddingsRequest.factory(limits);
    }

    /**
     * Decoded, tokenized and answered on the event loop it arrived on, as v2 requests are ({@link EventLoopWork});
     * bodies of more than {@value EventLoopWork#INLINE_TEXT_BYTES} bytes, and compressed ones, on a worker thread.
     */
    @POST
    @Path("/embeddings")
    @Compressed
    public CompletionStage<Response> embeddings(@Context RoutingContext routing, byte[] sent) {
        return EventLoopWork.run(RequestBodies.heavy(routing, sent, EventLoopWork.INLINE_TEXT_BYTES), () -> {
            EmbeddingsRequest request = EmbeddingsRequest.parse(requestJson, limits,
                    bodies.decoded(routing, sent));
            return inference.embed(request.model(), request.inputs(), request.dimensions(), HttpClientGone.of(routing))
                    .thenApply(result -> Response.ok(EmbeddingsResponse.encode(mapper.getFactory(), request.model(),
                            request.base64(), result), MediaType.APPLICATION_JSON_TYPE).build());
        });
    }

    @GET
    @Path("/models")
    public OpenAiJson.ModelList models() {
        return new OpenAiJson.ModelList(OpenAiJson.LIST, List.of(new OpenAiJson.Model(inference.modelName(),
                created)));
    }

    @GET
    @Path("/models/{model}")
    public OpenAiJson.Model model(@PathParam("model") String model) {
        if (!model.equals(inference.modelName())) {
            throw notFound(model);
        }
        return new OpenAiJson.Model(model, created);
    }

    private InferenceException notFound(String model) {
        return new InferenceException(Status.NOT_FOUND, "the model '" + model + "' does not exist; this server "
                + "serves '" + inference.modelName() + "'");
    }

    @ServerExceptionMapper
    public Response failure(InferenceException e) {
        InferenceException answered = AnsweredFailures.answered(LOG, "Embeddings", e);
        int status = answered.status().httpStatus();
        String param = e instanceof InvalidEmbeddingRequest invalid ? invalid.field()
                : e.status() == Status.NOT_FOUND ? "model" : null;
        String code = e.status() == Status.NOT_FOUND ? "model_not_found" : null;
        Response response = OpenAiErrors.response(status, answered.getMessage(), param, code);
        if (answered.retryAfterSeconds() > 0) {
            response.getHeaders().putSingle(HttpHeaders.RETRY_AFTER, answered.retryAfterSeconds());
        }
        return response;
    }

    @ServerExceptionMapper
    public Response stageFailure(CompletionException e) {
        return failure(InferenceService.unwrap(e));
    }
}
