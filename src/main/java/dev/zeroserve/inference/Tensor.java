package dev.zeroserve.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The one tensor type that crosses every layer: name, v2 data type, shape, and the elements as one little-endian,
 * row-major buffer (BYTES as 4-byte little-endian length-prefixed elements, as the v2 binary format defines).
 * The buffer is read with absolute indexes from 0 and never modified once the tensor exists.
 */
public final class Tensor {
    private final String name;
    private final DataType dataType;
    private final long[] shape;
    private final ByteBuffer data;
    private final long elementCount;

    private Tensor(String name, DataType dataType, long[] shape, ByteBuffer data, long elementCount) {
        this.name = name;
        this.dataType = dataType;
        this.shape = shape;
        this.data = data;
        this.elementCount = elementCount;
    }

    /**
     * Wraps {@code data} (from its position to its limit) as a tensor, checking that its size agrees with the shape.
     *
     * @throws InferenceException INVALID_ARGUMENT, naming the tensor, if shape and data disagree
     */
    public static Tensor of(String name, DataType dataType, long[] shape, ByteBuffer data) {
        long count = Shapes.elementCount(name, shape);
        ByteBuffer bytes = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dataType.isFixedSize()) {
            long expected = count * dataType.byteSize();
            if (bytes.remaining() != expected) {
                throw InferenceException.invalid("input '" + name + "': " + bytes.remaining() + " bytes of " + dataType
                        + " data, but shape " + Shapes.toString(shape) + " needs " + expected);
            }
        } else {
            long found = countBytesElements(name, bytes);
            if (found != count) {
                throw InferenceException.invalid("input '" + name + "': " + found + " BYTES elements, but shape "
                        + Shapes.toString(shape) + " needs " + count);
            }
        }
        return new Tensor(name, dataType, shape, bytes, count);
    }

    /** A direct little-endian buffer, the form ONNX Runtime reads without a copy. */
    public static ByteBuffer allocate(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw InferenceException.invalid("tensor of " + bytes + " bytes exceeds the 2 GiB per-tensor limit");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long countBytesElements(String name, ByteBuffer bytes) {
        long count = 0;
        int offset = 0;
        int limit = bytes.limit();
        while (offset < limit) {
            if (limit - offset < DataType.BYTES_LENGTH_PREFIX) {
                throw InferenceException.invalid("input '" + name + "': BYTES element " + count
                        + " has a truncated 4-byte length prefix");
            }
            long length = Integer.toUnsignedLong(bytes.getInt(offset));
            offset += DataType.BYTES_LENGTH_PREFIX;
            if (length > limit - offset) {
                throw InferenceException.invalid("input '" + name + "': BYTES element " + count + " declares " + length
                        + " bytes but only " + (limit - offset) + " remain");
            }
            offset += (int) length;
            count++;
        }
        return count;
    }

    /** The BYTES elements as arrays, in row-major order. */
    public byte[][] bytesElements() {
        if (dataType != DataType.BYTES) {
            throw new IllegalStateException("input '" + name + "' is " + dataType + ", not BYTES");
        }
        byte[][] elements = new byte[(int) elementCount][];
        int offset = 0;
        for (int i = 0; i < elements.length; i++) {
            int length = data.getInt(offset);
            offset += DataType.BYTES_LENGTH_PREFIX;
            elements[i] = new byte[length];
            data.get(offset, elements[i]);
            offset += length;
        }
        return elements;
    }

    /** Encodes BYTES elements into the length-prefixed layout. */
    public static ByteBuffer encodeBytes(byte[][] elements) {
        long size = 0;
        for (byte[] element : elements) {
            size += DataType.BYTES_LENGTH_PREFIX + element.length;
        }
        ByteBuffer buffer = allocate(size);
        for (byte[] element : elements) {
            buffer.putInt(element.length).put(element);
        }
        return buffer.flip();
    }

    public String name() {
        return name;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The shape; callers must not modify it. */
    public long[] shape() {
        return shape;
    }

    /** The elements, little-endian, from index 0 to the limit; callers must not modify them. */
    public ByteBuffer data() {
        return data;
    }

    public long elementCount() {
        return elementCount;
    }

    public int byteSize() {
        return data.limit();
    }

    /** The same data under another name, as when an output is renamed for a client. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dataType, shape, data, elementCount);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + dataType + ", " + Arrays.toString(shape) + "]";
    }
}
