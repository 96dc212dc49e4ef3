package dev.zeroserve.api.grpc;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.UnsafeByteOperations;

import dev.zeroserve.api.grpc.v2.InferParameter;
import dev.zeroserve.api.grpc.v2.InferTensorContents;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.RequestLimits;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;

/**
 * Converts the v2 gRPC messages to and from the canonical request and tensor types. Inputs arrive raw (one
 * little-endian blob per input) or typed; outputs always leave raw, as Triton sends them and its clients read them.
 */
final class GrpcTensorCodec {
    private GrpcTensorCodec() {
    }

    /**
     * @param maxElements the largest element count one input may declare
     * @param deadlineNanos the client's deadline as a {@link System#nanoTime()}, or {@link InferenceRequest#NO_DEADLINE}
     * @throws InferenceException INVALID_ARGUMENT naming the input and what is wrong with it
     */
    static InferenceRequest decode(ModelInferRequest request, long maxElements, long deadlineNanos) {
        RequestLimits.check("the request", "inputs", request.getInputsCount(), RequestLimits.MAX_TENSORS);
        RequestLimits.check("the request", "outputs", request.getOutputsCount(), RequestLimits.MAX_TENSORS);
        int rawCount = request.getRawInputContentsCount();
        if (rawCount > 0 && rawCount != request.getInputsCount()) {
            throw InferenceException.invalid("raw_input_contents has " + rawCount + " entries for "
                    + request.getInputsCount() + " inputs; it needs one per input, in the same order");
        }
        List<Tensor> inputs = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor input = request.getInputs(i);
            String name = input.getName();
            DataType type = DataType.fromName(input.getDatatype());
            if (type == null) {
                throw InferenceException.invalid("input '" + name + "': unknown datatype '" + input.getDatatype()
                        + "'; the v2 datatypes are " + Arrays.toString(DataType.values()));
            }
            RequestLimits.check("input '" + name + "': 'shape'", "dimensions", input.getShapeCount(),
                    RequestLimits.MAX_RANK);
            long[] shape = new long[input.getShapeCount()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = input.getShape(d);
            }
            long count = Shapes.checkedElementCount(name, shape, maxElements);
            if (rawCount > 0) {
                if (input.hasContents()) {
                    throw InferenceException.invalid("input '" + name + "' has typed contents while the request also "
                            + "uses raw_input_contents; use one or the other");
                }
                inputs.add(Tensor.of(name, type, shape, request.getRawInputContents(i).asReadOnlyByteBuffer()));
            } else {
                inputs.add(Tensor.of(name, type, shape, typedData(name, type, count, input.getContents())));
            }
        }
        List<InferenceRequest.RequestedOutput> outputs = new ArrayList<>(request.getOutputsCount());
        for (ModelInferRequest.InferRequestedOutputTensor output : request.getOutputsList()) {
            outputs.add(new InferenceRequest.RequestedOutput(output.getName(), parameters(output.getParametersMap())));
        }
        return new InferenceRequest(request.getModelName(), emptyToNull(request.getModelVersion()),
                emptyToNull(request.getId()), parameters(request.getParametersMap()), inputs, outputs, deadlineNanos);
    }

    static ModelInferResponse encode(InferenceResponse response) {
        ModelInferResponse.Builder builder = ModelInferResponse.newBuilder()
                .setModelName(response.modelName())
                .setModelVersion(response.modelVersion());
        if (response.id() != null) {
            builder.setId(response.id());
        }
        for (Tensor output : response.outputs()) {
            ModelInferResponse.InferOutputTensor.Builder tensor = builder.addOutputsBuilder()
                    .setName(output.name())
                    .setDatatype(output.dataType().name());
            for (long dim : output.shape()) {
                tensor.addShape(dim);
            }
            // Tensors are immutable once made, so the response may share the buffer instead of copying it.
            builder.addRawOutputContents(UnsafeByteOperations.unsafeWrap(output.data().duplicate()));
        }
        return builder.build();
    }

    static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    private static ByteBuffer typedData(String name, DataType type, long count, InferTensorContents contents) {
        int found = switch (type) {
            case BOOL -> contents.getBoolContentsCount();
            case INT8, INT16, INT32 -> contents.getIntContentsCount();
            case INT64 -> contents.getInt64ContentsCount();
            case UINT8, UINT16, UINT32 -> contents.getUintContentsCount();
            case UINT64 -> contents.getUint64ContentsCount();
            case FP32 -> contents.getFp32ContentsCount();
            case FP64 -> contents.getFp64ContentsCount();
            case BYTES -> contents.getBytesContentsCount();
            case FP16, BF16 -> throw InferenceException.invalid("input '" + name + "': " + type
                    + " has no typed contents field; send it in raw_input_contents");
        };
        if (found != count) {
            throw InferenceException.invalid("input '" + name + "': " + found + " values in " + field(type)
                    + ", but shape holds " + count);
        }
        if (type == DataType.BYTES) {
            byte[][] elements = new byte[found][];
            for (int i = 0; i < found; i++) {
                elements[i] = contents.getBytesContents(i).toByteArray();
            }
            return Tensor.encodeBytes(elements);
        }
        ByteBuffer data = Tensor.allocate(count * type.byteSize());
        for (int i = 0; i < found; i++) {
            switch (type) {
                case BOOL -> data.put((byte) (contents.getBoolContents(i) ? 1 : 0));
                case INT8, INT16, INT32 -> type.putLong(data, inRange(name, i, contents.getIntContents(i), type));
                case UINT8, UINT16, UINT32 -> type.putLong(data, inRange(name, i,
                        Integer.toUnsignedLong(contents.getUintContents(i)), type));
                case INT64 -> data.putLong(contents.getInt64Contents(i));
                case UINT64 -> data.putLong(contents.getUint64Contents(i));
                case FP32 -> data.putFloat(contents.getFp32Contents(i));
                case FP64 -> data.putDouble(contents.getFp64Contents(i));
                default -> throw new IllegalStateException(type + " is handled above");
            }
        }
        return data.flip();
    }

    private static long inRange(String name, int index, long value, DataType type) {
        if (!type.holds(value)) {
            throw InferenceException.invalid("input '" + name + "': element " + index + " (" + value
                    + ") is out of range for " + type);
        }
        return value;
    }

    private static String field(DataType type) {
        return switch (type) {
            case BOOL -> "bool_contents";
            case INT8, INT16, INT32 -> "int_contents";
            case INT64 -> "int64_contents";
            case UINT8, UINT16, UINT32 -> "uint_contents";
            case UINT64 -> "uint64_contents";
            case FP32 -> "fp32_contents";
            case FP64 -> "fp64_contents";
            default -> "bytes_contents";
        };
    }

    private static Map<String, Object> parameters(Map<String, InferParameter> parameters) {
        if (parameters.isEmpty()) {
            return Map.of();
        }
        RequestLimits.check("'parameters'", "entries", parameters.size(), RequestLimits.MAX_PARAMETERS);
        Map<String, Object> values = new LinkedHashMap<>();
        parameters.forEach((key, parameter) -> values.put(key, switch (parameter.getParameterChoiceCase()) {
            case BOOL_PARAM -> parameter.getBoolParam();
            case INT64_PARAM -> parameter.getInt64Param();
            case STRING_PARAM -> parameter.getStringParam();
            case DOUBLE_PARAM -> parameter.getDoubleParam();
            case UINT64_PARAM -> parameter.getUint64Param() >= 0 ? (Object) parameter.getUint64Param()
                    : new BigInteger(Long.toUnsignedString(parameter.getUint64Param()));
            case PARAMETERCHOICE_NOT_SET -> throw InferenceException.invalid("parameter '" + key + "' has no value");
        }));
        return values;
    }
}
