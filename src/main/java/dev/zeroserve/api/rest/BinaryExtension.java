package dev.zeroserve.api.rest;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceRequest.RequestedOutput;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.TensorSpec;

/**
 * Triton's binary tensor data extension: tensors as blobs after the JSON header (in the order the header names them),
 * which outputs are returned so, and the raw binary request whose whole body is the one input.
 */
final class BinaryExtension {
    private BinaryExtension() {
    }

    /** Parameter of Triton's binary tensor data extension: the size of a tensor's blob after the JSON header. */
    static final String BINARY_DATA_SIZE = "binary_data_size";
    /** Requested-output parameter of the binary extension: return this output as a blob. */
    static final String BINARY_DATA = "binary_data";
    /** Request parameter of the binary extension: the default of {@link #BINARY_DATA} for every output. */
    static final String BINARY_DATA_OUTPUT = "binary_data_output";

    /** The binary tensor data that follows the JSON header, consumed in the order the inputs name it. */
    static final class Section {
        private final byte[] body;
        private final int end;
        private int next;

        Section(byte[] body, int start) {
            this.body = body;
            this.next = start;
            this.end = body.length;
        }

        ByteBuffer take(String name, long size) {
            if (size > end - next) {
                throw InferenceException.invalid("input '" + name + "': binary_data_size " + size
                        + " runs past the end of the body (" + (end - next) + " bytes of binary data remain)");
            }
            ByteBuffer blob = ByteBuffer.wrap(body, next, (int) size);
            next += (int) size;
            return blob;
        }

        void checkFullyUsed(int jsonLength) {
            if (next != end) {
                throw InferenceException.invalid("the inputs' binary_data_size parameters add up to "
                        + (next - jsonLength) + " bytes, but " + (end - jsonLength)
                        + " bytes follow the JSON header (Inference-Header-Content-Length " + jsonLength + ")");
            }
        }
    }

    /** A binary input: its blob is the next one of the section, and must be exactly as large as its shape says. */
    static Tensor input(String name, DataType type, long[] shape, Object binarySize, Section binary,
            long maxElements) {
        if (!(binarySize instanceof Number size) || binarySize instanceof Double || size.longValue() < 0) {
            throw InferenceException.invalid("input '" + name + "': binary_data_size must be a non-negative integer");
        }
        long count = Shapes.checkedElementCount(name, shape, maxElements);
        if (type.isFixedSize() && size.longValue() != count * type.byteSize()) {
            throw InferenceException.invalid("input '" + name + "': binary_data_size is " + size + " bytes, but "
                    + type + " shape " + Shapes.toString(shape) + " needs " + count * type.byteSize());
        }
        return Tensor.of(name, type, shape, binary.take(name, size.longValue()));
    }

    /**
     * A raw binary request ({@code Inference-Header-Content-Length: 0}): the whole body is the one input of a
     * single-input model, as a batch of one, and every output comes back binary. The shape is the model's, with its
     * one dynamic dimension (if any) sized to fit the body; a BYTES input is one element.
     */
    static InferenceRequest rawRequest(byte[] body, ModelMetadata metadata, String modelName, String modelVersion) {
        if (metadata.inputs().size() != 1) {
            throw InferenceException.invalid("a raw binary request (Inference-Header-Content-Length: 0) needs a "
                    + "single-input model; model '" + metadata.name() + "' has " + metadata.inputs().size() + " inputs");
        }
        TensorSpec spec = metadata.inputs().get(0);
        long[] shape = spec.dataType() == DataType.BYTES ? new long[] { 1 } : rawShape(spec, body.length);
        ByteBuffer data = spec.dataType() == DataType.BYTES
                ? Tensor.encodeBytes(new byte[][] { body })
                : ByteBuffer.wrap(body);
        return new InferenceRequest(modelName, modelVersion, null, Map.of(BINARY_DATA_OUTPUT, Boolean.TRUE),
                List.of(Tensor.of(spec.name(), spec.dataType(), shape, data)), List.of(), InferenceRequest.NO_DEADLINE);
    }

    private static long[] rawShape(TensorSpec spec, int bodyLength) {
        long[] shape = spec.shape().clone();
        long fixedBytes = spec.dataType().byteSize();
        int dynamic = -1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != TensorSpec.DYNAMIC) {
                fixedBytes *= shape[i];
            } else if (dynamic >= 0) {
                throw InferenceException.invalid("input '" + spec.name() + "': shape " + Shapes.toString(spec.shape())
                        + " has more than one dynamic dimension, so a raw binary request cannot say its shape");
            } else {
                dynamic = i;
            }
        }
        if (dynamic >= 0 && fixedBytes > 0 && bodyLength % fixedBytes == 0) {
            shape[dynamic] = bodyLength / fixedBytes;
        }
        if (dynamic >= 0 ? shape[dynamic] == TensorSpec.DYNAMIC : fixedBytes != bodyLength) {
            throw InferenceException.invalid("input '" + spec.name() + "': a raw binary body of " + bodyLength
                    + " bytes does not fit " + spec.dataType() + " shape " + Shapes.toString(spec.shape()));
        }
        return shape;
    }

    /** Which of the response's outputs go as blobs: as each requested output says, else as the request says. */
    static boolean[] binaryOutputs(InferenceResponse response, InferenceRequest request) {
        boolean binaryByDefault = Boolean.TRUE.equals(request.parameters().get(BINARY_DATA_OUTPUT));
        boolean[] binary = new boolean[response.outputs().size()];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = binaryByDefault;
            String name = response.outputs().get(i).name();
            for (RequestedOutput requested : request.outputs()) {
                if (requested.name().equals(name) && requested.parameters().get(BINARY_DATA) instanceof Boolean b) {
                    binary[i] = b;
                }
            }
        }
        return binary;
    }
}
