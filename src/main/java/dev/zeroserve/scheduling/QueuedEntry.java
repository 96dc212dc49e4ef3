package dev.zeroserve.scheduling;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Tensor;

/**
 * An entry while the batcher holds it: its deadline and timings, its result, and the rule of which queued entries may
 * share an execution with it.
 */
final class QueuedEntry {
    final BatchEntry entry;
    final long deadlineNanos;
    final long enqueuedNanos = System.nanoTime();
    final boolean groupable;
    final long lengthBucket;
    final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();
    /** The batcher's rows admitted and not yet answered, which this entry leaves when it is answered. */
    private final AtomicLong inFlightRows;
    ScheduledFuture<?> timeout;
    long startedNanos;
    long finishedNanos;
    long batchRows;

    QueuedEntry(BatchEntry entry, long deadlineNanos, AtomicLong inFlightRows) {
        this.entry = entry;
        this.deadlineNanos = deadlineNanos;
        this.inFlightRows = inFlightRows;
        this.groupable = entry.groupable();
        this.lengthBucket = entry.padding() == null ? 0 : SequencePadding.lengthBucket(entry.sequenceLength());
    }

    /** Written before the result completes, which publishes them to whoever reads the timings after it. */
    void ran(long started, long finished, long rows) {
        startedNanos = started;
        finishedNanos = finished;
        batchRows = rows;
    }

    void answer(List<Tensor> outputs) {
        inFlightRows.addAndGet(-entry.rows());
        result.complete(outputs);
    }

    void fail(RuntimeException failure) {
        inFlightRows.addAndGet(-entry.rows());
        result.completeExceptionally(failure);
    }

    /**
     * Same requested outputs, input names and padding; every input has the same shape past the batch dimension
     * or, for padded sequences, past the sequence dimension, and the sequences fall into the same length bucket.
     */
    boolean sameGroup(QueuedEntry other) {
        BatchEntry a = entry;
        BatchEntry b = other.entry;
        if (!groupable || !other.groupable || !a.outputs().equals(b.outputs())
                || a.inputs().size() != b.inputs().size() || lengthBucket != other.lengthBucket
                || (a.padding() == null ? b.padding() != null : !a.padding().equals(b.padding()))) {
            return false;
        }
        int from = a.padding() == null ? 1 : 2;
        for (int i = 0; i < a.inputs().size(); i++) {
            Tensor x = a.inputs().get(i);
            Tensor y = b.inputs().get(i);
            if (!x.name().equals(y.name()) || x.dataType() != y.dataType()
                    || !Arrays.equals(x.shape(), from, x.shape().length, y.shape(), from, y.shape().length)) {
                return false;
            }
        }
        return true;
    }
}
