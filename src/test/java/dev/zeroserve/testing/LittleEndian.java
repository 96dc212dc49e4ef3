package dev.zeroserve.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.zeroserve.inference.DataType;

/** The v2 binary layout of JSON values, written independently of the service's codecs to check them against. */
public final class LittleEndian {
    private LittleEndian() {
    }

    /** @param values a flat or nested JSON array */
    public static byte[] of(DataType type, JsonNode values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(type, values, out);
        return out.toByteArray();
    }

    private static void write(DataType type, JsonNode node, ByteArrayOutputStream out) {
        if (node.isArray()) {
            node.forEach(element -> write(type, element, out));
            return;
        }
        ByteBuffer element = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case BOOL -> element.put((byte) (node.asBoolean() ? 1 : 0));
            case INT8, UINT8 -> element.put((byte) node.asInt());
            case INT16, UINT16 -> element.putShort((short) node.asInt());
            case INT32, UINT32 -> element.putInt((int) node.asLong());
            case INT64, UINT64 -> element.putLong(node.bigIntegerValue().longValue());
            case FP16 -> element.putShort(Fp16Conversions.floatToFp16(node.floatValue()));
            case BF16 -> element.putShort(Fp16Conversions.floatToBf16(node.floatValue()));
            case FP32 -> element.putFloat(node.floatValue());
            case FP64 -> element.putDouble(node.doubleValue());
            case BYTES -> {
                byte[] text = node.asText().getBytes(StandardCharsets.UTF_8);
                element = ByteBuffer.allocate(4 + text.length).order(ByteOrder.LITTLE_ENDIAN).putInt(text.length)
                        .put(text);
            }
        }
        out.write(element.array(), 0, element.position());
    }
}
