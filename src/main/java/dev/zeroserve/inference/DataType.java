package dev.zeroserve.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;

/**
 * The v2 protocol's tensor data types, their element sizes and how ONNX Runtime's Java API takes them.
 * BYTES elements have no fixed size: each is a 4-byte little-endian length followed by its bytes.
 */
public enum DataType {
    BOOL(1, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, OnnxJavaType.BOOL),
    UINT8(1, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8, OnnxJavaType.UINT8),
    // ONNX Runtime's Java API has no way to create or read unsigned 16/32/64-bit tensors.
    UINT16(2, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16, null),
    UINT32(4, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32, null),
    UINT64(8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64, null),
    INT8(1, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8, OnnxJavaType.INT8),
    INT16(2, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16, OnnxJavaType.INT16),
    INT32(4, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, OnnxJavaType.INT32),
    INT64(8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, OnnxJavaType.INT64),
    FP16(2, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16, OnnxJavaType.FLOAT16),
    BF16(2, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16, OnnxJavaType.BFLOAT16),
    FP32(4, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, OnnxJavaType.FLOAT),
    FP64(8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE, OnnxJavaType.DOUBLE),
    BYTES(0, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, OnnxJavaType.STRING);

    /** Size of the length prefix of each BYTES element. */
    public static final int BYTES_LENGTH_PREFIX = 4;

    private final int byteSize;
    private final OnnxTensorType onnxType;
    private final OnnxJavaType javaType;

    DataType(int byteSize, OnnxTensorType onnxType, OnnxJavaType javaType) {
        this.byteSize = byteSize;
        this.onnxType = onnxType;
        this.javaType = javaType;
    }

    /** Bytes per element; 0 for BYTES, whose elements vary in size. */
    public int byteSize() {
        return byteSize;
    }

    public boolean isFixedSize() {
        return byteSize > 0;
    }

    /** The ONNX Runtime Java type used to create and read tensors of this type, or null if the Java API cannot. */
    public OnnxJavaType onnxJavaType() {
        return javaType;
    }

    public boolean supportedByOnnxRuntime() {
        return javaType != null;
    }

    /** Parses a v2 datatype name (case-sensitive, as the protocol defines), or returns null. */
    public static DataType fromName(String name) {
        if (name == null) {
            return null;
        }
        for (DataType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }

    /** The v2 type of an ONNX tensor element type, or null if the v2 protocol has none (complex, float8). */
    public static DataType fromOnnx(OnnxTensorType onnxType) {
        for (DataType type : values()) {
            if (type.onnxType == onnxType) {
                return type;
            }
        }
        return null;
    }
}
