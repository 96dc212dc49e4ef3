package dev.zeroserve.api.rest;

import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.zeroserve.api.transport.HttpClientGone;
import dev.zeroserve.api.transport.RequestBodies;
import dev.zeroserve.api.TritonModel;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.Status;
import dev.zeroserve.serving.EventLoopWork;
import dev.zeroserve.serving.InferenceService;
import dev.zeroserve.serving.ServerMetadata;
import io.quarkus.vertx.http.Compressed;
import io.vertx.ext.web.RoutingContext;

/** The KServe Open Inference Protocol (v2) over REST: a thin adapter onto {@link InferenceService}. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class V2Resource {
    /** Length of the JSON header of Triton's binary tensor data extension. */
    static final String INFERENCE_HEADER_CONTENT_LENGTH = "Inference-Header-Content-Length";

    private final InferenceService inference;
    private final RequestBodies bodies;

    V2Resource(InferenceService inference, RequestBodies bodies) {
        this.inference = inference;
        this.bodies = bodies;
    }

    @GET
    public V2Json.ServerMetadata serverMetadata() {
        ServerMetadata server = inference.serverMetadata();
        return new V2Json.ServerMetadata(server.name(), server.version(), server.extensions());
    }

    @GET
    @Path("/health/live")
    public Response live() {
        if (!inference.live()) {
            throw new InferenceException(Status.UNAVAILABLE, "the model failed to load");
        }
        return Response.ok(new V2Json.Live(true)).build();
    }

    @GET
    @Path("/health/ready")
    public Response ready() {
        String notReady = inference.notReadyBecause();
        if (notReady != null) {
            throw new InferenceException(Status.UNAVAILABLE, notReady);
        }
        return Response.ok(new V2Json.Ready(true)).build();
    }

    @GET
    @Path("/models/{model}")
    public V2Json.ModelMetadataBody modelMetadata(@PathParam("model") String model) {
        return V2Json.ModelMetadataBody.of(inference.modelMetadata(model, null));
    }

    @GET
    @Path("/models/{model}/versions/{version}")
    public V2Json.ModelMetadataBody modelVersionMetadata(@PathParam("model") String model,
            @PathParam("version") String version) {
        return V2Json.ModelMetadataBody.of(inference.modelMetadata(model, version));
    }

    @GET
    @Path("/models/{model}/ready")
    public V2Json.ModelReady modelReady(@PathParam("model") String model) {
        inference.modelMetadata(model, null); // NOT_FOUND (404) for another model, UNAVAILABLE (503) while not ready
        return new V2Json.ModelReady(model, true);
    }

    @GET
    @Path("/models/{model}/versions/{version}/ready")
    public V2Json.ModelReady modelVersionReady(@PathParam("model") String model, @PathParam("version") String version) {
        inference.modelMetadata(model, version);
        return new V2Json.ModelReady(model, true);
    }

    @GET
    @Path("/models/{model}/config")
    public TritonModel.Config modelConfig(@PathParam("model") String model) {
        return TritonModel.config(inference.modelConfig(model, null));
    }

    @GET
    @Path("/models/{model}/versions/{version}/config")
    public TritonModel.Config modelVersionConfig(@PathParam("model") String model,
            @PathParam("version") String version) {
        return TritonModel.config(inference.modelConfig(model, version));
    }

    @GET
    @Path("/models/stats")
    public TritonModel.StatisticsBody allModelStatistics() {
        return modelStatistics(inference.modelName(), null);
    }

    @GET
    @Path("/models/{model}/stats")
    public TritonModel.StatisticsBody modelStatistics(@PathParam("model") String model) {
        return modelStatistics(model, null);
    }

    @GET
    @Path("/models/{model}/versions/{version}/stats")
    public TritonModel.StatisticsBody modelStatistics(@PathParam("model") String model,
            @PathParam("version") String version) {
        return new TritonModel.StatisticsBody(List.of(TritonModel.statistics(inference.statistics(model, version))));
    }

    @GET
    @Path("/{extension: repository|systemsharedmemory|cudasharedmemory|trace|logging}{rest: (/.*)?}")
    public Response unsupportedGet(@PathParam("extension") String extension) {
        throw unsupported(extension);
    }

    @POST
    @Path("/{extension: repository|systemsharedmemory|cudasharedmemory|trace|logging}{rest: (/.*)?}")
    public Response unsupportedPost(@PathParam("extension") String extension) {
        throw unsupported(extension);
    }

    @GET
    @Path("/models/{model}/trace/setting")
    public Response unsupportedModelTraceGet() {
        throw unsupported("trace");
    }

    @POST
    @Path("/models/{model}/trace/setting")
    public Response unsupportedModelTracePost() {
        throw unsupported("trace");
    }

    private InferenceException unsupported(String path) {
        String extension = switch (path) {
            case "repository" -> "model_repository";
            case "systemsharedmemory" -> "system_shared_memory";
            case "cudasharedmemory" -> "cuda_shared_memory";
            default -> path;
        };
        return new InferenceException(Status.UNIMPLEMENTED, "Triton's " + extension + " extension is not "
                + "implemented by this server, which serves one model loaded at start; the extensions it implements "
                + "are " + ServerMetadata.EXTENSIONS + " (GET /v2)");
    }

    @POST
    @Path("/models/{model}/infer")
    @Compressed
    public CompletionStage<Response> infer(@PathParam("model") String model,
            @HeaderParam(INFERENCE_HEADER_CONTENT_LENGTH) String headerLength, @Context RoutingContext routing,
            byte[] body) {
        return infer(model, null, headerLength, routing, body);
    }

    @POST
    @Path("/models/{model}/versions/{version}/infer")
    @Compressed
    public CompletionStage<Response> inferVersion(@PathParam("model") String model,
            @PathParam("version") String version, @HeaderParam(INFERENCE_HEADER_CONTENT_LENGTH) String headerLength,
            @Context RoutingContext routing, byte[] body) {
        return infer(model, version, headerLength, routing, body);
    }

    /** The header, not the Content-Type, marks a binary request: Triton's Python client sends none. */
    private CompletionStage<Response> infer(String model, String version, String headerLength, RoutingContext routing,
            byte[] sent) {
        return EventLoopWork.run(RequestBodies.heavy(routing, sent, EventLoopWork.INLINE_BYTES),
                () -> decodeAndInfer(model, version, headerLength, routing, sent));
    }

    /** The model first, so that a request for another model is NOT_FOUND whatever its body holds. */
    private CompletionStage<Response> decodeAndInfer(String model, String version, String headerLength,
            RoutingContext routing, byte[] sent) {
        long received = System.nanoTime();
        InferenceRequest request;
        try {
            ModelMetadata metadata = inference.modelMetadata(model, version);
            byte[] body = bodies.decoded(routing, sent);
            int jsonLength = jsonLength(headerLength, body.length);
            request = jsonLength == 0 && body.length > 0
                    ? JsonInferenceCodec.decodeRawBinary(body, metadata, model, version)
                    : JsonInferenceCodec.decodeRequest(body, jsonLength, model, version,
                            inference.maxElements());
        } catch (RuntimeException e) {
            return inference.failed(Protocol.REST, received, e);
        }
        return inference.infer(Protocol.REST, received, request, HttpClientGone.of(routing)).thenApply(response -> {
            JsonInferenceCodec.EncodedResponse encoded = JsonInferenceCodec.encodeResponse(response, request);
            if (!encoded.hasBinary()) {
                return Response.ok(encoded.body(), MediaType.APPLICATION_JSON_TYPE).build();
            }
            return Response.ok(encoded.body(), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                    .header(INFERENCE_HEADER_CONTENT_LENGTH, encoded.jsonLength()).build();
        });
    }

    private static int jsonLength(String headerLength, int bodyLength) {
        if (headerLength == null) {
            return bodyLength;
        }
        long length;
        try {
            length = Long.parseLong(headerLength.trim());
        } catch (NumberFormatException e) {
            throw InferenceException.invalid(INFERENCE_HEADER_CONTENT_LENGTH + " '" + headerLength
                    + "' is not a byte count");
        }
        if (length < 0 || length > bodyLength) {
            throw InferenceException.invalid(INFERENCE_HEADER_CONTENT_LENGTH + " " + length
                    + " is outside the " + bodyLength + "-byte body");
        }
        return (int) length;
    }
}
