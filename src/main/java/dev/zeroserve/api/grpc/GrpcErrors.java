package dev.zeroserve.api.grpc;

import org.jboss.logging.Logger;

import dev.zeroserve.api.AnsweredFailures;
import dev.zeroserve.inference.InferenceException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Maps failures once to gRPC status codes, with the same messages REST clients get. */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static StatusRuntimeException toStatus(RuntimeException failure) {
        InferenceException e = AnsweredFailures.answered(LOG, "gRPC inference", failure);
        Status status = switch (e.status()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case PAYLOAD_TOO_LARGE, RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case CANCELLED -> Status.CANCELLED;
            case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
            case INTERNAL -> Status.INTERNAL;
        };
        return status.withDescription(e.getMessage()).asRuntimeException();
    }
}
