package dev.zeroserve.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.InferParameter;
import dev.zeroserve.api.grpc.v2.InferTensorContents;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.Tensor;

class GrpcTensorCodecTest {

    private static ModelInferRequest.Builder oneInput(String datatype, InferTensorContents.Builder contents,
            long... shape) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName("m");
        ModelInferRequest.InferInputTensor.Builder input = request.addInputsBuilder().setName("x")
                .setDatatype(datatype).setContents(contents);
        for (long dim : shape) {
            input.addShape(dim);
        }
        return request;
    }

    private static Tensor decodeOne(ModelInferRequest.Builder request) {
        return GrpcTensorCodec.decode(request.build(), 1000, InferenceRequest.NO_DEADLINE).inputs().get(0);
    }

    @Test
    void typedContentsBecomeLittleEndianTensors() {
        Tensor uint16 = decodeOne(oneInput("UINT16", InferTensorContents.newBuilder().addUintContents(65535)
                .addUintContents(258), 2));
        assertThat(uint16.data().get(0)).isEqualTo((byte) 0xFF);
        assertThat(uint16.data().get(2)).isEqualTo((byte) 2);
        assertThat(uint16.data().get(3)).isEqualTo((byte) 1);
        Tensor uint64 = decodeOne(oneInput("UINT64", InferTensorContents.newBuilder().addUint64Contents(-1L), 1));
        assertThat(uint64.data().getLong(0)).isEqualTo(-1L);
        Tensor bytes = decodeOne(oneInput("BYTES", InferTensorContents.newBuilder()
                .addBytesContents(ByteString.copyFromUtf8("ab")).addBytesContents(ByteString.EMPTY), 2));
        assertThat(bytes.data().getInt(0)).isEqualTo(2);
        assertThat(new String(bytes.bytesElements()[0], StandardCharsets.UTF_8)).isEqualTo("ab");
    }

    @Test
    void typedContentsAreCheckedAgainstTypeAndShape() {
        assertThatThrownBy(() -> decodeOne(oneInput("INT8", InferTensorContents.newBuilder().addIntContents(200), 1)))
                .hasMessageContaining("input 'x': element 0 (200) is out of range for INT8");
        assertThatThrownBy(() -> decodeOne(oneInput("UINT8", InferTensorContents.newBuilder().addUintContents(-1), 1)))
                .hasMessageContaining("(4294967295) is out of range for UINT8");
        assertThatThrownBy(() -> decodeOne(oneInput("FP16", InferTensorContents.newBuilder(), 1)))
                .hasMessageContaining("FP16 has no typed contents field; send it in raw_input_contents");
        assertThatThrownBy(() -> decodeOne(oneInput("FP32", InferTensorContents.newBuilder().addFp64Contents(1), 1)))
                .hasMessageContaining("input 'x': 0 values in fp32_contents, but shape holds 1");
    }

    @Test
    void parametersOfEveryKindPassThrough() {
        ModelInferRequest.Builder request = oneInput("INT32", InferTensorContents.newBuilder().addIntContents(1), 1)
                .putParameters("b", InferParameter.newBuilder().setBoolParam(true).build())
                .putParameters("i", InferParameter.newBuilder().setInt64Param(-3).build())
                .putParameters("s", InferParameter.newBuilder().setStringParam("v").build())
                .putParameters("d", InferParameter.newBuilder().setDoubleParam(0.5).build())
                .putParameters("u", InferParameter.newBuilder().setUint64Param(-1L).build())
                .setId("req");
        InferenceRequest decoded = GrpcTensorCodec.decode(request.build(), 1000, 42);
        assertThat(decoded.parameters()).containsEntry("b", true).containsEntry("i", -3L).containsEntry("s", "v")
                .containsEntry("d", 0.5).containsEntry("u", new java.math.BigInteger("18446744073709551615"));
        assertThat(decoded.id()).isEqualTo("req");
        assertThat(decoded.deadlineNanos()).isEqualTo(42);
        assertThat(decoded.modelVersion()).isNull();
    }

    @Test
    void outputsAlwaysLeaveRaw() {
        Tensor tensor = decodeOne(oneInput("INT32", InferTensorContents.newBuilder().addIntContents(5)
                .addIntContents(-1), 2));
        ModelInferResponse response = GrpcTensorCodec.encode(new InferenceResponse("m", "1", "id", List.of(tensor)));
        assertThat(response.getOutputs(0).hasContents()).isFalse();
        assertThat(response.getOutputs(0).getDatatype()).isEqualTo(DataType.INT32.name());
        assertThat(response.getRawOutputContents(0).toByteArray()).containsExactly(5, 0, 0, 0, -1, -1, -1, -1);
        assertThat(response.getId()).isEqualTo("id");
    }
}
