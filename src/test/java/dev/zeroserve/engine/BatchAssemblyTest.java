package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Tensor;

class BatchAssemblyTest {
    private static final SequencePadding PAD_IDS_WITH_7 = new SequencePadding(Map.of("ids", 7L, "mask", 0L));

    /** rows x length token ids {@code first, first + 1, ...} row after row, and a mask of ones. */
    private static BatchEntry tokens(int rows, int length, long first, SequencePadding padding) {
        ByteBuffer ids = ByteBuffer.allocate(rows * length * 8);
        ByteBuffer mask = ByteBuffer.allocate(rows * length * 8);
        ids.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        mask.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * length; i++) {
            ids.putLong(first + i);
            mask.putLong(1);
        }
        long[] shape = { rows, length };
        return new BatchEntry(List.of(Tensor.of("ids", DataType.INT64, shape, ids.flip()),
                Tensor.of("mask", DataType.INT64, shape, mask.flip())), List.of("y"), padding, rows, 0);
    }

    private static long[] longs(Tensor tensor) {
        long[] values = new long[(int) tensor.elementCount()];
        tensor.data().asLongBuffer().get(values);
        return values;
    }

    @Test
    void sequencesArePaddedToTheLongestWithTheirPadValuesAndMasksZeroed() {
        List<BatchEntry> batch = List.of(tokens(1, 3, 100, PAD_IDS_WITH_7), tokens(2, 5, 200, PAD_IDS_WITH_7));
        List<Tensor> inputs = BatchAssembly.inputs(batch);
        assertThat(inputs.get(0).shape()).containsExactly(3, 5);
        assertThat(longs(inputs.get(0))).containsExactly(100, 101, 102, 7, 7, 200, 201, 202, 203, 204,
                205, 206, 207, 208, 209);
        assertThat(longs(inputs.get(1))).containsExactly(1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(inputs.get(0).data().isDirect()).as("ONNX Runtime reads it in place").isTrue();
    }

    @Test
    void unpaddedEntriesAreConcatenatedAndEachGetsItsRowsOfTheOutputs() {
        List<BatchEntry> batch = List.of(tokens(1, 4, 0, null), tokens(2, 4, 10, null));
        List<Tensor> inputs = BatchAssembly.inputs(batch);
        assertThat(inputs.get(0).shape()).containsExactly(3, 4);
        List<List<Tensor>> split = BatchAssembly.split(batch, List.of(inputs.get(0).withName("y")));
        assertThat(split).hasSize(2);
        assertThat(split.get(0).get(0).shape()).containsExactly(1, 4);
        assertThat(longs(split.get(0).get(0))).containsExactly(0, 1, 2, 3);
        assertThat(split.get(1).get(0).shape()).containsExactly(2, 4);
        assertThat(longs(split.get(1).get(0))).containsExactly(10, 11, 12, 13, 14, 15, 16, 17);
    }
}
