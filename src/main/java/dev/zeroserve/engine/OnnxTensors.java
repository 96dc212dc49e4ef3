package dev.zeroserve.engine;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Tensor;

/** Converts between the canonical {@link Tensor} and ONNX Runtime's tensors. */
final class OnnxTensors {
    private OnnxTensors() {
    }

    /** Creates an ONNX tensor over the tensor's buffer; direct buffers are used in place, without a copy. */
    static OnnxTensor toOnnx(OrtEnvironment env, Tensor tensor) throws OrtException {
        if (tensor.dataType() == DataType.BYTES) {
            return OnnxTensor.createTensor(env, utf8Strings(tensor), tensor.shape());
        }
        ByteBuffer data = tensor.data();
        if (!data.isDirect()) {
            data = Tensor.allocate(data.limit()).put(0, data, 0, data.limit());
        }
        return OnnxTensor.createTensor(env, data, tensor.shape(), tensor.dataType().onnxJavaType());
    }

    /** Copies an ONNX Runtime output into a tensor: the one copy out of native memory. */
    static Tensor fromOnnx(String name, DataType dataType, OnnxTensor value) throws OrtException {
        long[] shape = value.getInfo().getShape();
        if (dataType == DataType.BYTES) {
            return Tensor.of(name, dataType, shape, Tensor.encodeBytes(flattenStrings(value.getValue(), shape)));
        }
        ByteBuffer data = value.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return Tensor.of(name, dataType, shape, data);
    }

    private static String[] utf8Strings(Tensor tensor) {
        byte[][] elements = tensor.bytesElements();
        String[] strings = new String[elements.length];
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int i = 0; i < elements.length; i++) {
            try {
                strings[i] = decoder.decode(ByteBuffer.wrap(elements[i])).toString();
            } catch (CharacterCodingException e) {
                throw InferenceException.invalid("input '" + tensor.name() + "': BYTES element " + i
                        + " is not valid UTF-8, and ONNX Runtime takes string tensors as UTF-8 text");
            }
        }
        return strings;
    }

    private static byte[][] flattenStrings(Object nested, long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        byte[][] flat = new byte[(int) count][];
        flattenInto(nested, flat, 0);
        return flat;
    }

    private static int flattenInto(Object nested, byte[][] flat, int next) {
        if (nested instanceof String text) {
            flat[next] = text.getBytes(StandardCharsets.UTF_8);
            return next + 1;
        }
        int length = Array.getLength(nested);
        for (int i = 0; i < length; i++) {
            next = flattenInto(Array.get(nested, i), flat, next);
        }
        return next;
    }
}
