package dev.zeroserve.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;

/**
 * Turns the entries of a batch into one execution's inputs and its outputs back into each entry's, as Triton's input
 * collector and output responder do: inputs concatenated along the batch dimension, token sequences padded on the
 * right to the longest in the batch (each input with its pad value, the attention mask with 0); each entry gets its
 * rows of every output as a view of the execution's output buffer.
 */
final class BatchAssembly {
    private BatchAssembly() {
    }

    static List<Tensor> inputs(List<BatchEntry> batch) {
        BatchEntry first = batch.get(0);
        List<Tensor> joined = new ArrayList<>(first.inputs().size());
        for (int i = 0; i < first.inputs().size(); i++) {
            List<Tensor> parts = new ArrayList<>(batch.size());
            for (BatchEntry entry : batch) {
                parts.add(entry.inputs().get(i));
            }
            joined.add(first.padding() == null ? Tensor.concatenate(parts) : padded(parts, padValue(first, i)));
        }
        return joined;
    }

    private static long padValue(BatchEntry entry, int index) {
        Tensor input = entry.inputs().get(index);
        Long value = entry.padding().padValues().get(input.name());
        if (value == null || input.shape().length < 2 || !isInteger(input.dataType())) {
            throw new IllegalArgumentException("input '" + input.name() + "' (" + input.dataType() + " "
                    + Arrays.toString(input.shape()) + ") cannot be padded as a sequence");
        }
        return value;
    }

    private static boolean isInteger(DataType type) {
        return type.kind() == DataType.Kind.BOOLEAN || type.kind() == DataType.Kind.INTEGER;
    }

    /** The parts one after another, each row copied once and lengthened to the longest sequence among them. */
    private static Tensor padded(List<Tensor> parts, long padValue) {
        Tensor first = parts.get(0);
        DataType type = first.dataType();
        long rows = 0;
        long sequence = 0;
        for (Tensor part : parts) {
            rows += part.shape()[0];
            sequence = Math.max(sequence, part.shape()[1]);
        }
        long[] shape = first.shape().clone();
        shape[0] = rows;
        shape[1] = sequence;
        long elementsPerPosition = 1;
        for (int d = 2; d < shape.length; d++) {
            elementsPerPosition *= shape[d];
        }
        long paddedRowElements = sequence * elementsPerPosition;
        ByteBuffer data = Tensor.allocate(rows * paddedRowElements * type.byteSize());
        for (Tensor part : parts) {
            long rowElements = part.shape()[1] * elementsPerPosition;
            int rowBytes = (int) (rowElements * type.byteSize());
            ByteBuffer source = part.data();
            for (int row = 0; row < part.shape()[0]; row++) {
                data.put(source.duplicate().clear().position(row * rowBytes).limit((row + 1) * rowBytes));
                fill(data, type, padValue, paddedRowElements - rowElements);
            }
        }
        return Tensor.of(first.name(), type, shape, data.flip());
    }

    private static void fill(ByteBuffer data, DataType type, long value, long count) {
        for (long n = 0; n < count; n++) {
            type.putLong(data, value);
        }
    }

    /** Each entry's rows of every output, in the order of the entries. */
    static List<List<Tensor>> split(List<BatchEntry> batch, List<Tensor> outputs) {
        long rows = 0;
        for (BatchEntry entry : batch) {
            rows += entry.rows();
        }
        for (Tensor output : outputs) {
            if (output.shape().length == 0 || output.shape()[0] != rows) {
                throw new InferenceException(Status.INTERNAL, "output '" + output.name() + "' of a batch of " + rows
                        + " rows has shape " + Arrays.toString(output.shape()) + "; the model's first dimension is "
                        + "not a batch dimension, set zeroserve.batching.max-batch-size=1");
            }
        }
        List<List<Tensor>> perEntry = new ArrayList<>(batch.size());
        long from = 0;
        for (BatchEntry entry : batch) {
            List<Tensor> own = new ArrayList<>(outputs.size());
            for (Tensor output : outputs) {
                own.add(output.rows(from, entry.rows()));
            }
            perEntry.add(own);
            from += entry.rows();
        }
        return perEntry;
    }
}
