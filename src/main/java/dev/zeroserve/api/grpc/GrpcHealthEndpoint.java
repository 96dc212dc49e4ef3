package dev.zeroserve.api.grpc;

import dev.zeroserve.serving.InferenceService;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;

/**
 * The standard {@code grpc.health.v1.Health/Check} that Kubernetes and Knative gRPC probes call: SERVING exactly when
 * the server is ready ({@link InferenceService#ready()}), for the server ("") and for the inference service. Watch is
 * not offered, as in Triton.
 */
@GrpcService
public class GrpcHealthEndpoint extends HealthGrpc.HealthImplBase {
    static final String INFERENCE_SERVICE = "inference.GRPCInferenceService";

    private final InferenceService inference;

    GrpcHealthEndpoint(InferenceService inference) {
        this.inference = inference;
    }

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> response) {
        String service = request.getService();
        if (!service.isEmpty() && !service.equals(INFERENCE_SERVICE)) {
            response.onError(Status.NOT_FOUND.withDescription("unknown service '" + service + "'; this server has ''"
                    + " and '" + INFERENCE_SERVICE + "'").asRuntimeException());
            return;
        }
        response.onNext(HealthCheckResponse.newBuilder()
                .setStatus(inference.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING).build());
        response.onCompleted();
    }
}
