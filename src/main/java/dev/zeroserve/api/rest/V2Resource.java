package dev.zeroserve.api.rest;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.InferenceService;
import dev.zeroserve.inference.Status;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.model.ZeroserveConfig;

/** The KServe Open Inference Protocol (v2) over REST: a thin adapter onto {@link InferenceService}. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "KServe v2", description = "Open Inference Protocol, REST/JSON")
public class V2Resource {
    static final String SERVER_NAME = "zeroserve";

    private final InferenceService inference;
    private final ModelLifecycle lifecycle;
    private final ZeroserveConfig config;
    private final String serverVersion;

    V2Resource(InferenceService inference, ModelLifecycle lifecycle, ZeroserveConfig config,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String serverVersion) {
        this.inference = inference;
        this.lifecycle = lifecycle;
        this.config = config;
        this.serverVersion = serverVersion;
    }

    @GET
    @Operation(summary = "Server metadata")
    public V2Json.ServerMetadata serverMetadata() {
        return new V2Json.ServerMetadata(SERVER_NAME, serverVersion, List.of("parameters"));
    }

    @GET
    @Path("/health/live")
    @Operation(summary = "Server liveness: 200 when the server can answer")
    public Response live() {
        if (lifecycle.state() == ModelLifecycle.State.FAILED) {
            throw new InferenceException(Status.UNAVAILABLE, "the model failed to load");
        }
        return Response.ok(new V2Json.Live(true)).build();
    }

    @GET
    @Path("/health/ready")
    @Operation(summary = "Server readiness: 200 once the model is loaded and warmed up, else 503")
    public Response ready() {
        if (!lifecycle.isReady()) {
            throw new InferenceException(Status.UNAVAILABLE, "the model is not ready ("
                    + lifecycle.state().name().toLowerCase() + ")");
        }
        return Response.ok(new V2Json.Ready(true)).build();
    }

    @GET
    @Path("/models/{model}")
    @Operation(summary = "Model metadata")
    public V2Json.ModelMetadataBody modelMetadata(@PathParam("model") String model) {
        return V2Json.ModelMetadataBody.of(lifecycle.resolve(model, null).metadata());
    }

    @GET
    @Path("/models/{model}/versions/{version}")
    @Operation(summary = "Model version metadata")
    public V2Json.ModelMetadataBody modelVersionMetadata(@PathParam("model") String model,
            @PathParam("version") String version) {
        return V2Json.ModelMetadataBody.of(lifecycle.resolve(model, version).metadata());
    }

    @GET
    @Path("/models/{model}/ready")
    @Operation(summary = "Model readiness: 200 when ready, 503 while loading, 404 for an unknown model")
    public V2Json.ModelReady modelReady(@PathParam("model") String model) {
        lifecycle.resolve(model, null);
        return new V2Json.ModelReady(model, true);
    }

    @GET
    @Path("/models/{model}/versions/{version}/ready")
    @Operation(summary = "Model version readiness")
    public V2Json.ModelReady modelVersionReady(@PathParam("model") String model, @PathParam("version") String version) {
        lifecycle.resolve(model, version);
        return new V2Json.ModelReady(model, true);
    }

    @POST
    @Path("/models/{model}/infer")
    @Operation(summary = "Inference (v2 JSON tensors)")
    public Response infer(@PathParam("model") String model, byte[] body) {
        return infer(model, null, body);
    }

    @POST
    @Path("/models/{model}/versions/{version}/infer")
    @Operation(summary = "Inference on a model version (v2 JSON tensors)")
    public Response inferVersion(@PathParam("model") String model, @PathParam("version") String version, byte[] body) {
        return infer(model, version, body);
    }

    private Response infer(String model, String version, byte[] body) {
        InferenceRequest request = JsonInferenceCodec.decodeRequest(body, model, version, config.limits().maxElements());
        InferenceResponse response = inference.infer(request);
        return Response.ok(JsonInferenceCodec.encodeResponse(response), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
