package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import dev.zeroserve.inference.Status;

/** Whose fault a failed run is, from ONNX Runtime's error code and message (messages as ONNX Runtime writes them). */
class OnnxModelTest {
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "ORT_INVALID_ARGUMENT | Got invalid dimensions for input: input_ids | INVALID_ARGUMENT",
        "ORT_INVALID_ARGUMENT | Non-zero status code returned while running Gather node. indices element out of data"
                + " bounds, idx=1000000 | INVALID_ARGUMENT",
        "ORT_FAIL | Non-zero status code returned while running Split node. Name:'Split_0' Status Message: Cannot"
                + " split using values in 'split' attribute | INVALID_ARGUMENT",
        "ORT_FAIL | Non-zero status code returned while running MatMul node. Name:'MatMul_1' Status Message: CUDA"
                + " failure 700: an illegal memory access was encountered | INTERNAL",
        "ORT_FAIL | Non-zero status code returned while running Conv node. Status Message: CUDNN failure 4:"
                + " CUDNN_STATUS_INTERNAL_ERROR | INTERNAL",
        "ORT_FAIL | Non-zero status code returned while running Add node. Status Message: Failed to allocate memory"
                + " for requested buffer of size 68719476736 | RESOURCE_EXHAUSTED",
        "ORT_FAIL | Non-zero status code returned while running Gather node. Name:'Gather_0' Status Message:"
                + " /onnxruntime_src/onnxruntime/core/providers/cuda/tensor/gather_impl.cc:45 indices element out of"
                + " data bounds | INVALID_ARGUMENT",
        "ORT_FAIL | Session was not initialized | INTERNAL",
        "ORT_RUNTIME_EXCEPTION | bad_alloc | INTERNAL",
    })
    void aFailedRunIsTheClientsOnlyWhenItsValuesAreWhatFailed(OrtErrorCode code, String message, Status status) {
        assertThat(OnnxModel.statusOf(new OrtException(code, message))).isEqualTo(status);
    }
}
