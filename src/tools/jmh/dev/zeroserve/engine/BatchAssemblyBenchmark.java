package dev.zeroserve.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Tensor;

/**
 * One execution's inputs assembled from a batch of entries, as the batcher hands them to the engine: {@code rows}
 * entries of one text each (three INT64 inputs, 8 to 16 tokens, padded to the longest), and the execution's output
 * ({@code [rows, 16, 384]} FP32) split back into each entry's rows. Entry points: {@link BatchAssembly#inputs} and
 * {@link BatchAssembly#split}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BatchAssemblyBenchmark {
    static final int LONGEST = 16;
    static final int HIDDEN = 384;
    private static final SequencePadding PADDING = new SequencePadding(
            Map.of("input_ids", 0L, "attention_mask", 0L, "token_type_ids", 0L));

    @Param({ "1", "8", "32" })
    public int rows;

    private List<BatchEntry> batch;
    private List<Tensor> outputs;

    @Setup
    public void batch() {
        batch = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            int length = LONGEST - row % 9;
            batch.add(new BatchEntry(List.of(longs("input_ids", length, 2000 + row), longs("attention_mask", length, 1),
                    longs("token_type_ids", length, 0)), List.of("last_hidden_state"), PADDING, 1, length));
        }
        ByteBuffer hidden = ByteBuffer.allocateDirect(rows * LONGEST * HIDDEN * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        outputs = List.of(Tensor.of("last_hidden_state", DataType.FP32, new long[] { rows, LONGEST, HIDDEN }, hidden));
    }

    private static Tensor longs(String name, int length, long value) {
        ByteBuffer data = ByteBuffer.allocate(length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length; i++) {
            data.putLong(value);
        }
        return Tensor.of(name, DataType.INT64, new long[] { 1, length }, data.flip());
    }

    @Benchmark
    public List<Tensor> inputs() {
        return BatchAssembly.inputs(batch);
    }

    @Benchmark
    public List<List<Tensor>> split() {
        return BatchAssembly.split(batch, outputs);
    }
}
