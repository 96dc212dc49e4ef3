package dev.zeroserve.inference;

import java.nio.ByteBuffer;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;
import ai.onnxruntime.platform.Fp16Conversions;

/**
 * The v2 protocol's tensor data types and everything that differs between them: element size and kind, integer
 * range, how ONNX Runtime's Java API takes them, and how one element is put into or read from a tensor's
 * little-endian buffer. Codecs keep only what their wire format adds (which JSON token, which gRPC contents field);
 * a new type is added here.
 * BYTES elements have no fixed size: each is a 4-byte little-endian length followed by its bytes.
 */
public enum DataType {
    BOOL(1, Kind.BOOLEAN, 0, 1, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, OnnxJavaType.BOOL),
    UINT8(1, Kind.INTEGER, 0, 0xFF, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8, OnnxJavaType.UINT8),
    // ONNX Runtime's Java API has no way to create or read unsigned 16/32/64-bit tensors.
    UINT16(2, Kind.INTEGER, 0, 0xFFFF, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16, null),
    UINT32(4, Kind.INTEGER, 0, 0xFFFF_FFFFL, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32, null),
    /** Its values above {@link Long#MAX_VALUE} are held as negative longs (their bits): see {@link #holds}. */
    UINT64(8, Kind.INTEGER, 0, Long.MAX_VALUE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64, null),
    INT8(1, Kind.INTEGER, Byte.MIN_VALUE, Byte.MAX_VALUE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8,
            OnnxJavaType.INT8),
    INT16(2, Kind.INTEGER, Short.MIN_VALUE, Short.MAX_VALUE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16,
            OnnxJavaType.INT16),
    INT32(4, Kind.INTEGER, Integer.MIN_VALUE, Integer.MAX_VALUE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32,
            OnnxJavaType.INT32),
    INT64(8, Kind.INTEGER, Long.MIN_VALUE, Long.MAX_VALUE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64,
            OnnxJavaType.INT64),
    FP16(2, Kind.FLOATING_POINT, 0, 0, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16, OnnxJavaType.FLOAT16),
    BF16(2, Kind.FLOATING_POINT, 0, 0, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16, OnnxJavaType.BFLOAT16),
    FP32(4, Kind.FLOATING_POINT, 0, 0, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, OnnxJavaType.FLOAT),
    FP64(8, Kind.FLOATING_POINT, 0, 0, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE, OnnxJavaType.DOUBLE),
    BYTES(0, Kind.BYTES, 0, 0, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING, OnnxJavaType.STRING);

    /** What an element is, which decides how a wire format spells it and how it is checked. */
    public enum Kind {
        /** One byte, 0 or 1. */
        BOOLEAN,
        /** Signed or unsigned, within {@link #holds}; put and read as a {@code long}. */
        INTEGER,
        /** Put and read as a {@code double} (FP16, BF16 and FP32 rounded to their precision). */
        FLOATING_POINT,
        /** Length-prefixed byte strings. */
        BYTES
    }

    /** Size of the length prefix of each BYTES element. */
    public static final int BYTES_LENGTH_PREFIX = 4;

    private final int byteSize;
    private final Kind kind;
    private final long min;
    private final long max;
    private final OnnxTensorType onnxType;
    private final OnnxJavaType javaType;

    DataType(int byteSize, Kind kind, long min, long max, OnnxTensorType onnxType, OnnxJavaType javaType) {
        this.byteSize = byteSize;
        this.kind = kind;
        this.min = min;
        this.max = max;
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

    public Kind kind() {
        return kind;
    }

    /**
     * Whether an integer value is in this BOOL or integer type's range. UINT64's values above {@link Long#MAX_VALUE}
     * do not fit a long: a wire format that spells them reads them itself, as their bits.
     */
    public boolean holds(long value) {
        return value >= min && value <= max;
    }

    /** Puts one BOOL or integer element at the buffer's position, narrowed to the element size. */
    public void putLong(ByteBuffer data, long value) {
        switch (byteSize) {
            case 1 -> data.put((byte) value);
            case 2 -> data.putShort((short) value);
            case 4 -> data.putInt((int) value);
            default -> data.putLong(value);
        }
    }

    /** Puts one floating-point element at the buffer's position, rounded to this type's precision. */
    public void putDouble(ByteBuffer data, double value) {
        switch (this) {
            case FP16 -> data.putShort(Fp16Conversions.floatToFp16((float) value));
            case BF16 -> data.putShort(Fp16Conversions.floatToBf16((float) value));
            case FP32 -> data.putFloat((float) value);
            case FP64 -> data.putDouble(value);
            default -> throw new IllegalStateException(this + " is not floating point");
        }
    }

    /**
     * The BOOL or integer element at an index of a little-endian buffer: signed types sign-extended, unsigned ones
     * zero-extended (UINT64 as its bits).
     */
    public long getLong(ByteBuffer data, int index) {
        return switch (this) {
            case BOOL, UINT8 -> Byte.toUnsignedLong(data.get(index));
            case INT8 -> data.get(index);
            case UINT16 -> Short.toUnsignedLong(data.getShort(index * 2));
            case INT16 -> data.getShort(index * 2);
            case UINT32 -> Integer.toUnsignedLong(data.getInt(index * 4));
            case INT32 -> data.getInt(index * 4);
            case UINT64, INT64 -> data.getLong(index * 8);
            default -> throw new IllegalStateException(this + " is not an integer type");
        };
    }

    /** The FP16, BF16 or FP32 element at an index of a little-endian buffer. */
    public float getFloat(ByteBuffer data, int index) {
        return switch (this) {
            case FP16 -> Fp16Conversions.fp16ToFloat(data.getShort(index * 2));
            case BF16 -> Fp16Conversions.bf16ToFloat(data.getShort(index * 2));
            case FP32 -> data.getFloat(index * 4);
            default -> throw new IllegalStateException(this + " is not a float type of at most 32 bits");
        };
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
