package dev.zeroserve.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void bytesElementsRoundTripThroughTheLengthPrefixedLayout() {
        byte[][] elements = { "ab".getBytes(StandardCharsets.UTF_8), new byte[0], { (byte) 0xFF, 0 } };
        ByteBuffer encoded = Tensor.encodeBytes(elements);
        assertThat(encoded.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(encoded.limit()).isEqualTo(4 + 2 + 4 + 4 + 2);
        assertThat(encoded.get(0)).isEqualTo((byte) 2);
        Tensor tensor = Tensor.of("s", DataType.BYTES, new long[] { 3 }, encoded);
        assertThat(tensor.elementCount()).isEqualTo(3);
        assertThat(tensor.bytesElements()).isDeepEqualTo(elements);
    }

    @Test
    void sizeMustAgreeWithShape() {
        assertThatThrownBy(() -> Tensor.of("x", DataType.FP32, new long[] { 2, 2 }, ByteBuffer.allocate(12)))
                .hasMessageContaining("input 'x'").hasMessageContaining("12 bytes").hasMessageContaining("needs 16");
        assertThatThrownBy(() -> Tensor.of("s", DataType.BYTES, new long[] { 2 }, Tensor.encodeBytes(new byte[1][1])))
                .hasMessageContaining("1 BYTES elements").hasMessageContaining("needs 2");
    }

    @Test
    void malformedBytesFramingIsRejected() {
        ByteBuffer truncatedPrefix = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(1).put((byte) 7)
                .put((byte) 0).flip();
        assertThatThrownBy(() -> Tensor.of("s", DataType.BYTES, new long[] { 2 }, truncatedPrefix))
                .hasMessageContaining("truncated 4-byte length prefix");
        ByteBuffer overlong = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putInt(100).putShort((short) 1)
                .flip();
        assertThatThrownBy(() -> Tensor.of("s", DataType.BYTES, new long[] { 1 }, overlong))
                .hasMessageContaining("declares 100 bytes but only 2 remain");
    }

    @Test
    void shapesRejectNegativeAndOverflowingDims() {
        assertThat(Shapes.elementCount("x", new long[] {})).isEqualTo(1);
        assertThat(Shapes.elementCount("x", new long[] { 0, Long.MAX_VALUE })).isZero();
        assertThatThrownBy(() -> Shapes.elementCount("x", new long[] { 3, -2 })).hasMessageContaining("negative");
        assertThatThrownBy(() -> Shapes.elementCount("x", new long[] { 1L << 32, 1L << 32 }))
                .hasMessageContaining("64-bit");
    }

    @Test
    void rowsAreViewsAndConcatenationJoinsThemBack() {
        ByteBuffer data = ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            data.putInt(i);
        }
        Tensor matrix = Tensor.of("m", DataType.INT32, new long[] { 3, 2 }, data.flip());
        Tensor middle = matrix.rows(1, 1);
        assertThat(middle.shape()).containsExactly(1, 2);
        assertThat(middle.data().getInt(0)).isEqualTo(2);
        assertThat(middle.data().getInt(4)).isEqualTo(3);
        Tensor joined = Tensor.concatenate(java.util.List.of(matrix.rows(0, 1), middle, matrix.rows(2, 1)));
        assertThat(joined.shape()).containsExactly(3, 2);
        assertThat(joined.data()).isEqualTo(matrix.data());
        assertThatThrownBy(() -> matrix.rows(2, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesRowsAreFoundByWalkingTheirLengthPrefixes() {
        byte[][] elements = { "a".getBytes(StandardCharsets.UTF_8), "bcd".getBytes(StandardCharsets.UTF_8),
                new byte[0], "ef".getBytes(StandardCharsets.UTF_8) };
        Tensor strings = Tensor.of("s", DataType.BYTES, new long[] { 2, 2 }, Tensor.encodeBytes(elements));
        assertThat(strings.rows(1, 1).bytesElements()).isDeepEqualTo(new byte[][] { elements[2], elements[3] });
        assertThat(Tensor.concatenate(java.util.List.of(strings.rows(0, 1), strings.rows(1, 1))).bytesElements())
                .isDeepEqualTo(elements);
    }
}
