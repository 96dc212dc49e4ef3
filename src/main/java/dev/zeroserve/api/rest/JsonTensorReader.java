package dev.zeroserve.api.rest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Shapes;
import dev.zeroserve.inference.Tensor;

/**
 * Streams a v2 JSON {@code data} array (flat or nested, as the spec allows) straight into a tensor buffer, checking
 * each value against the data type, without boxing.
 */
final class JsonTensorReader {
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final String name;
    private final DataType type;
    private final long[] shape;
    private final long count;
    private long index;

    private JsonTensorReader(String name, DataType type, long[] shape, long count) {
        this.name = name;
        this.type = type;
        this.shape = shape;
        this.count = count;
    }

    /**
     * Reads the value at the parser's current token (an array, or a single scalar for a one-element tensor).
     *
     * @param count the element count of {@code shape}, already checked against the limits
     */
    static Tensor read(JsonParser parser, String name, DataType type, long[] shape, long count) throws IOException {
        return new JsonTensorReader(name, type, shape, count).read(parser);
    }

    private Tensor read(JsonParser parser) throws IOException {
        if (type == DataType.BYTES) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            forEachValue(parser, () -> writeBytesElement(parser, bytes));
            ByteBuffer data = Tensor.allocate(bytes.size()).put(bytes.toByteArray()).flip();
            return Tensor.of(name, type, shape, data);
        }
        ByteBuffer data = Tensor.allocate(count * type.byteSize());
        forEachValue(parser, () -> writeElement(parser, data));
        return Tensor.of(name, type, shape, data.flip());
    }

    private interface ElementWriter {
        void write() throws IOException;
    }

    private void forEachValue(JsonParser parser, ElementWriter writer) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.START_ARRAY) {
            element(parser, writer);
        } else {
            int depth = 0;
            do {
                if (token == JsonToken.START_ARRAY) {
                    depth++;
                } else if (token == JsonToken.END_ARRAY) {
                    depth--;
                } else {
                    element(parser, writer);
                }
                if (depth > 0) {
                    token = parser.nextToken();
                }
            } while (depth > 0 && token != null);
        }
        if (index != count) {
            throw InferenceException.invalid("input '" + name + "': 'data' has " + index + " elements, but shape "
                    + Shapes.toString(shape) + " holds " + count);
        }
    }

    private void element(JsonParser parser, ElementWriter writer) throws IOException {
        if (index == count) {
            throw InferenceException.invalid("input '" + name + "': 'data' has more than the " + count
                    + " elements that shape " + Shapes.toString(shape) + " holds");
        }
        if (parser.currentToken() == JsonToken.START_OBJECT) {
            throw wrongValue(parser);
        }
        writer.write();
        index++;
    }

    /** How each kind of element is spelled in JSON; how it is put into the buffer, and its range, are DataType's. */
    private void writeElement(JsonParser parser, ByteBuffer data) throws IOException {
        switch (type.kind()) {
            case BOOLEAN -> data.put((byte) (booleanValue(parser) ? 1 : 0));
            case INTEGER -> type.putLong(data, type == DataType.UINT64 ? unsigned64(parser) : integer(parser));
            case FLOATING_POINT -> type.putDouble(data, floating(parser));
            case BYTES -> throw new IllegalStateException("BYTES are written by writeBytesElement");
        }
    }

    private void writeBytesElement(JsonParser parser, ByteArrayOutputStream bytes) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw wrongValue(parser);
        }
        byte[] element = parser.getText().getBytes(StandardCharsets.UTF_8);
        int length = element.length;
        bytes.write(length);
        bytes.write(length >>> 8);
        bytes.write(length >>> 16);
        bytes.write(length >>> 24);
        bytes.write(element);
    }

    private boolean booleanValue(JsonParser parser) throws IOException {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw wrongValue(parser);
        };
    }

    private long integer(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongValue(parser);
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw outOfRange(parser);
        }
        long value = parser.getLongValue();
        if (!type.holds(value)) {
            throw outOfRange(parser);
        }
        return value;
    }

    private long unsigned64(JsonParser parser) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw wrongValue(parser);
        }
        if (parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long value = parser.getLongValue();
            if (value < 0) {
                throw outOfRange(parser);
            }
            return value;
        }
        BigInteger value = parser.getBigIntegerValue();
        if (value.signum() < 0 || value.compareTo(UINT64_MAX) > 0) {
            throw outOfRange(parser);
        }
        return value.longValue();
    }

    private double floating(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NUMBER_INT) {
            return parser.getDoubleValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            // Non-finite values travel as strings, as Jackson and Python's json module write them.
            switch (parser.getText()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity", "inf":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity", "-inf":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw wrongValue(parser);
    }

    private InferenceException wrongValue(JsonParser parser) throws IOException {
        String expected = switch (type.kind()) {
            case BOOLEAN -> "true or false";
            case BYTES -> "a string";
            case FLOATING_POINT -> "a number";
            case INTEGER -> "an integer";
        };
        return InferenceException.invalid("input '" + name + "': element " + index + " of 'data' is "
                + describe(parser) + ", but " + type + " needs " + expected);
    }

    private InferenceException outOfRange(JsonParser parser) throws IOException {
        return InferenceException.invalid("input '" + name + "': element " + index + " of 'data' ("
                + parser.getText() + ") is out of range for " + type);
    }

    private static String describe(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "the string \"" + abbreviate(parser.getText()) + "\"";
            default -> abbreviate(parser.getText());
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
