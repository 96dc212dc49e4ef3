package dev.zeroserve.api.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ServerLiveRequest;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.TypedInputsModelProfile;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The configurable inbound message limit (1 MiB in this profile). */
@QuarkusTest
@TestProfile(TypedInputsModelProfile.class)
class GrpcLimitsTest extends GrpcClientTestBase {
    @Test
    void aMessageOverTheLimitIsRefusedAndTheServerGoesOn() {
        var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
        ModelInferRequest oversized = ModelInferRequest.newBuilder()
                .setModelName(TypedInputsModelProfile.NAME)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("in_UINT8").setDatatype("UINT8")
                        .addShape(2 * TypedInputsModelProfile.MAX_GRPC_MESSAGE / 3).addShape(3))
                .addRawInputContents(ByteString.copyFrom(new byte[2 * TypedInputsModelProfile.MAX_GRPC_MESSAGE]))
                .build();
        assertThatThrownBy(() -> stub.modelInfer(oversized)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }
}
