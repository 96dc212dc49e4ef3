package dev.zeroserve.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;

import org.junit.jupiter.api.Test;

class DataTypeTest {

    @Test
    void everyTypeHasOneKindAndFixedTypesASize() {
        for (DataType type : DataType.values()) {
            assertThat(type.isFixedSize()).as(type.name()).isEqualTo(type.kind() != DataType.Kind.BYTES);
        }
        assertThat(EnumSet.allOf(DataType.class).stream().filter(t -> t.kind() == DataType.Kind.FLOATING_POINT))
                .containsExactly(DataType.FP16, DataType.BF16, DataType.FP32, DataType.FP64);
    }

    @Test
    void integerRangesAreTheTypes() {
        assertThat(DataType.INT8.holds(-128)).isTrue();
        assertThat(DataType.INT8.holds(128)).isFalse();
        assertThat(DataType.UINT8.holds(255)).isTrue();
        assertThat(DataType.UINT8.holds(-1)).isFalse();
        assertThat(DataType.UINT16.holds(65_536)).isFalse();
        assertThat(DataType.INT32.holds(Integer.MIN_VALUE)).isTrue();
        assertThat(DataType.UINT32.holds(0xFFFF_FFFFL)).isTrue();
        assertThat(DataType.UINT32.holds(1L << 32)).isFalse();
        assertThat(DataType.INT64.holds(Long.MIN_VALUE)).isTrue();
        assertThat(DataType.UINT64.holds(-1)).as("a negative long is not a UINT64 value").isFalse();
    }

    @Test
    void integersGoInNarrowedAndComeBackSignedOrUnsigned() {
        for (DataType type : EnumSet.of(DataType.UINT8, DataType.UINT16, DataType.UINT32)) {
            ByteBuffer data = buffer(type);
            type.putLong(data, -1);
            assertThat(type.getLong(data, 1)).as(type.name()).isEqualTo((1L << (8 * type.byteSize())) - 1);
        }
        for (DataType type : EnumSet.of(DataType.INT8, DataType.INT16, DataType.INT32, DataType.INT64,
                DataType.UINT64)) {
            ByteBuffer data = buffer(type);
            type.putLong(data, -1);
            assertThat(type.getLong(data, 1)).as(type.name()).isEqualTo(-1);
        }
        ByteBuffer bool = buffer(DataType.BOOL);
        DataType.BOOL.putLong(bool, 1);
        assertThat(DataType.BOOL.getLong(bool, 1)).isEqualTo(1);
    }

    @Test
    void floatsGoInRoundedToTheirPrecision() {
        for (DataType type : EnumSet.of(DataType.FP16, DataType.BF16, DataType.FP32)) {
            ByteBuffer data = buffer(type);
            type.putDouble(data, 1.5);
            assertThat(type.getFloat(data, 1)).as(type.name()).isEqualTo(1.5f);
        }
        ByteBuffer half = buffer(DataType.FP16);
        DataType.FP16.putDouble(half, 1.0 / 3);
        assertThat(DataType.FP16.getFloat(half, 1)).isEqualTo(0.33325195f);
        ByteBuffer fp64 = buffer(DataType.FP64);
        DataType.FP64.putDouble(fp64, 1.0 / 3);
        assertThat(fp64.getDouble(8)).isEqualTo(1.0 / 3);
    }

    /** Two elements, positioned at the second, so that reads by index are checked against the position. */
    private static ByteBuffer buffer(DataType type) {
        return ByteBuffer.allocate(2 * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN).position(type.byteSize());
    }
}
