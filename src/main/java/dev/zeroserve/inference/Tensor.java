package dev.zeroserve.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

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
        try {
            return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (OutOfMemoryError e) {
            // The direct-memory limit (-XX:MaxDirectMemorySize), which the JDK reports by throwing, not the heap: the
            // process is sound and the request may succeed once others have released theirs.
            throw new InferenceException(Status.RESOURCE_EXHAUSTED, "a tensor of " + bytes + " bytes does not fit "
                    + "in the direct memory left to requests now; retry shortly", 1);
        }
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

    /**
     * Rows {@code from} to {@code from + count} along dimension 0, as a view of this tensor's buffer (no copy).
     *
     * @throws IllegalArgumentException if the tensor has no such rows
     */
    public Tensor rows(long from, long count) {
        if (shape.length == 0 || from < 0 || count < 0 || from + count > shape[0]) {
            throw new IllegalArgumentException("rows " + from + "+" + count + " of " + this);
        }
        long elementsPerRow = shape[0] == 0 ? 0 : elementCount / shape[0];
        int start = byteOffset(from * elementsPerRow);
        int end = byteOffset((from + count) * elementsPerRow);
        long[] rowShape = shape.clone();
        rowShape[0] = count;
        return new Tensor(name, dataType, rowShape, data.duplicate().position(start).limit(end).slice()
                .order(ByteOrder.LITTLE_ENDIAN), count * elementsPerRow);
    }

    /** Where element {@code index} starts in the buffer; BYTES elements are walked from the start. */
    private int byteOffset(long index) {
        if (dataType != DataType.BYTES) {
            return (int) (index * dataType.byteSize());
        }
        int position = 0;
        for (long i = 0; i < index; i++) {
            position += DataType.BYTES_LENGTH_PREFIX + data.getInt(position);
        }
        return position;
    }

    /**
     * The tensors one after another along dimension 0, in one new buffer: they share name, data type and the shape
     * past dimension 0.
     */
    public static Tensor concatenate(List<Tensor> parts) {
        Tensor first = parts.get(0);
        long rows = 0;
        long bytes = 0;
        long elements = 0;
        for (Tensor part : parts) {
            if (part.dataType != first.dataType || part.shape.length != first.shape.length || part.shape.length == 0
                    || !Arrays.equals(part.shape, 1, part.shape.length, first.shape, 1, first.shape.length)) {
                throw new IllegalArgumentException("cannot concatenate " + part + " after " + first);
            }
            rows += part.shape[0];
            bytes += part.byteSize();
            elements += part.elementCount;
        }
        ByteBuffer joined = allocate(bytes);
        for (Tensor part : parts) {
            joined.put(part.data.duplicate().clear());
        }
        long[] shape = first.shape.clone();
        shape[0] = rows;
        return new Tensor(first.name, first.dataType, shape, joined.flip().order(ByteOrder.LITTLE_ENDIAN), elements);
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
