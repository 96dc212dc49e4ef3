package dev.zeroserve.api.grpc;

import java.util.List;
import java.util.concurrent.CompletionStage;

import dev.zeroserve.api.TritonModel;
import dev.zeroserve.api.transport.InFlightBudget;
import dev.zeroserve.api.grpc.v2.InferBatchStatistics;
import dev.zeroserve.api.grpc.v2.InferStatistics;
import dev.zeroserve.api.grpc.v2.ModelConfigRequest;
import dev.zeroserve.api.grpc.v2.ModelConfigResponse;
import dev.zeroserve.api.grpc.v2.ModelStatisticsRequest;
import dev.zeroserve.api.grpc.v2.ModelStatisticsResponse;
import dev.zeroserve.api.grpc.v2.StatisticDuration;
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
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.serving.ClientGone;
import dev.zeroserve.serving.EventLoopWork;
import dev.zeroserve.serving.InferenceService;
import dev.zeroserve.serving.ServerMetadata;
import dev.zeroserve.api.transport.grpc.DeadlineInterceptor;
import dev.zeroserve.api.transport.grpc.GrpcClientGone;
import dev.zeroserve.api.transport.grpc.GrpcExchanges;
import dev.zeroserve.api.transport.grpc.MalformedMessages;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.grpc.RegisterInterceptor;
import io.vertx.ext.web.RoutingContext;

/**
 * The KServe v2 {@code inference.GRPCInferenceService}, served by the HTTP server on the HTTP port: a thin adapter
 * onto {@link InferenceService}.
 */
@GrpcService
@RegisterInterceptor(MalformedMessages.class)
public class GrpcInferenceEndpoint extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
    private final InferenceService inference;
    private final InFlightBudget budget;

    GrpcInferenceEndpoint(InferenceService inference, InFlightBudget budget) {
        this.inference = inference;
        this.budget = budget;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return MalformedMessages.reported(super.bindService());
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
        reply(response, ServerLiveResponse.newBuilder().setLive(inference.live()).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
        reply(response, ServerReadyResponse.newBuilder().setReady(inference.ready()).build());
    }

    /** A known model that is still loading is OK with {@code ready=false}; an unknown one is NOT_FOUND. */
    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
        try {
            reply(response, ModelReadyResponse.newBuilder().setReady(inference.modelReady(request.getName(),
                    GrpcTensorCodec.emptyToNull(request.getVersion()))).build());
        } catch (InferenceException e) {
            response.onError(GrpcErrors.toStatus(e));
        }
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
        ServerMetadata server = inference.serverMetadata();
        reply(response, ServerMetadataResponse.newBuilder().setName(server.name()).setVersion(server.version())
                .addAllExtensions(server.extensions()).build());
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
        try {
            ModelMetadata metadata = inference.modelMetadata(request.getName(),
                    GrpcTensorCodec.emptyToNull(request.getVersion()));
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

    /** Triton's ModelConfig, the same document as REST's /config, as Triton's message. */
    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> response) {
        try {
            TritonModel.Config document = TritonModel.config(inference.modelConfig(request.getName(),
                    GrpcTensorCodec.emptyToNull(request.getVersion())));
            reply(response, ModelConfigResponse.newBuilder().setConfig(GrpcModelConfig.of(document)).build());
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
        }
    }

    /** Triton's ModelStatistics; an empty name asks for every model, which is the served one. */
    @Override
    public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> response) {
        try {
            String name = request.getName().isEmpty() ? inference.modelName() : request.getName();
            TritonModel.ModelStatistics statistics = TritonModel.statistics(inference.statistics(name,
                    GrpcTensorCodec.emptyToNull(request.getVersion())));
            TritonModel.InferStatistics inference = statistics.inferenceStats();
            List<InferBatchStatistics> batches = statistics.batchStats().stream()
                    .map(batch -> InferBatchStatistics.newBuilder().setBatchSize(batch.batchSize())
                            .setComputeInput(duration(batch.computeInput()))
                            .setComputeInfer(duration(batch.computeInfer()))
                            .setComputeOutput(duration(batch.computeOutput())).build())
                    .toList();
            reply(response, ModelStatisticsResponse.newBuilder().addModelStats(
                    dev.zeroserve.api.grpc.v2.ModelStatistics.newBuilder().setName(statistics.name())
                            .setVersion(statistics.version()).setLastInference(statistics.lastInference())
                            .setInferenceCount(statistics.inferenceCount())
                            .setExecutionCount(statistics.executionCount())
                            .setInferenceStats(InferStatistics.newBuilder().setSuccess(duration(inference.success()))
                                    .setFail(duration(inference.fail())).setQueue(duration(inference.queue()))
                                    .setComputeInput(duration(inference.computeInput()))
                                    .setComputeInfer(duration(inference.computeInfer()))
                                    .setComputeOutput(duration(inference.computeOutput())))
                            .addAllBatchStats(batches)).build());
        } catch (RuntimeException e) {
            response.onError(GrpcErrors.toStatus(e));
        }
    }

    private static StatisticDuration duration(TritonModel.Duration duration) {
        return StatisticDuration.newBuilder().setCount(duration.count()).setNs(duration.ns()).build();
    }

    /**
     * Vert.x has read and parsed the whole message before this runs (a gRPC call declares no length beforehand), so
     * its bytes are charged to the in-flight budget here, in place of what the call held while it arrived, before they
     * are decoded into tensors: twice the message, for Vert.x's buffer and protobuf's copy of the tensor contents.
     */
    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
        RoutingContext call = GrpcExchanges.current();
        if (call != null) {
            try {
                budget.settle(call, InFlightBudget.GRPC_MESSAGE_FACTOR * request.getSerializedSize(), "the message");
            } catch (InferenceException e) {
                response.onError(GrpcErrors.toStatus(e));
                return;
            }
        }
        long deadline = DeadlineInterceptor.deadlineNanos(InferenceRequest.NO_DEADLINE);
        ClientGone clientGone = GrpcClientGone.of(response);
        EventLoopWork.run(request.getSerializedSize() > EventLoopWork.INLINE_BYTES, () -> infer(request, deadline,
                clientGone)).whenComplete((answer, failure) -> {
                    if (failure != null) {
                        response.onError(GrpcErrors.toStatus(InferenceService.unwrap(failure)));
                    } else {
                        reply(response, GrpcTensorCodec.encode(answer));
                    }
                });
    }

    /** The model first, so that a request for another model is NOT_FOUND whatever its message holds. */
    private CompletionStage<InferenceResponse> infer(ModelInferRequest message, long deadline,
            ClientGone clientGone) {
        long received = System.nanoTime();
        InferenceRequest request;
        try {
            inference.modelMetadata(message.getModelName(), GrpcTensorCodec.emptyToNull(message.getModelVersion()));
            request = GrpcTensorCodec.decode(message, inference.maxElements(), deadline);
        } catch (RuntimeException e) {
            return inference.failed(Protocol.GRPC, received, e);
        }
        return inference.infer(Protocol.GRPC, received, request, clientGone);
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
