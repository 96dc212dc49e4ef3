package dev.zeroserve.api.grpc;

import dev.zeroserve.api.ServerInfo;
import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.api.grpc.v2.ModelMetadataRequest;
import dev.zeroserve.api.grpc.v2.ModelMetadataResponse;
import dev.zeroserve.api.grpc.v2.ModelReadyRequest;
import dev.zeroserve.api.grpc.v2.ModelReadyResponse;
import dev.zeroserve.api.grpc.v2.ServerLiveRequest;
import dev.zeroserve.api.grpc.v2.ServerLiveResponse;
import dev.zeroserve.api.grpc.v2.ServerMetadataRequest;
import dev.zeroserve.api.grpc.v2.ServerMetadataResponse;
import dev.zeroserve.api.grpc.v2.ServerReadyRequest;
import dev.zeroserve.api.grpc.v2.ServerReadyResponse;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.serving.InferenceService;
import dev.zeroserve.inference.Status;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.metrics.InferenceMetrics.Protocol;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.model.ZeroserveConfig;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;

/**
 * The KServe v2 {@code inference.GRPCInferenceService}, served by the HTTP server on the HTTP port: a thin adapter
 * onto {@link InferenceService}.
 */
@GrpcService
public class GrpcInferenceEndpoint extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final InferenceService inference;
    private final ModelLifecycle lifecycle;
    private final ServerInfo server;
    private final ZeroserveConfig config;

    GrpcInferenceEndpoint(InferenceService inference, ModelLifecycle lifecycle, ServerInfo server,
            ZeroserveConfig config) {
        this.inference = inference;
        this.lifecycle = lifecycle;
        this.server = server;
        this.config = config;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
        reply(response, ServerLiveResponse.newBuilder()
                .setLive(lifecycle.state() != ModelLifecycle.State.FAILED).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
        reply(response, ServerReadyResponse.newBuilder().setReady(lifecycle.isReady()).build());
    }

    /** A known model that is still loading is OK with {@code ready=false}; an unknown one is NOT_FOUND. */
    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
        try {
            lifecycle.resolve(request.getName(), GrpcTensorCodec.emptyToNull(request.getVersion()));
            reply(response, ModelReadyResponse.newBuilder().setReady(true).build());
        } catch (InferenceException e) {
            if (e.status() == Status.UNAVAILABLE) {
                reply(response, ModelReadyResponse.newBuilder().setReady(false).build());
            } else {
                response.onError(GrpcErrors.toStatus(e));
            }
        }
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
        reply(response, ServerMetadataResponse.newBuilder().setName(server.name()).setVersion(server.version())
                .addAllExtensions(server.extensions()).build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
        try {
            ModelMetadata metadata = lifecycle.resolve(request.getName(),
                    GrpcTensorCodec.emptyToNull(request.getVersion())).metadata();
            ModelMetadataResponse.Builder builder = ModelMetadataResponse.newBuilder()
                    .setName(metadata.name())
                    .addVersions(metadata.version())
                    .setPlatform(metadata.platform())
                    .putAllProperties(metadata.properties());
            metadata.inputs().forEach(spec -> builder.addInputs(tensorMetadata(spec)));
            metadata.outputs().forEach(spec -> builder.addOutputs(tensorMetadata(spec)));
            reply(response, builder.build());
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    @Blocking
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
        inference.infer(Protocol.GRPC, request.getModelName(), GrpcTensorCodec.emptyToNull(request.getModelVersion()),
                metadata -> GrpcTensorCodec.decode(request, config.limits().maxElements(),
                        DeadlineInterceptor.deadlineNanos(InferenceRequest.NO_DEADLINE)), GrpcExchanges.clientGone())
                .whenComplete((exchange, failure) -> {
                    if (failure != null) {
                        response.onError(GrpcErrors.toStatus(InferenceService.unwrap(failure)));
                    } else {
                        reply(response, GrpcTensorCodec.encode(exchange.response()));
                    }
                });
    }

    private static ModelMetadataResponse.TensorMetadata tensorMetadata(TensorSpec spec) {
        ModelMetadataResponse.TensorMetadata.Builder builder = ModelMetadataResponse.TensorMetadata.newBuilder()
                .setName(spec.name()).setDatatype(spec.dataType().name());
        for (long dim : spec.shape()) {
            builder.addShape(dim);
        }
        return builder.build();
    }

    private static <T> void reply(StreamObserver<T> observer, T message) {
        observer.onNext(message);
        observer.onCompleted();
    }
}
