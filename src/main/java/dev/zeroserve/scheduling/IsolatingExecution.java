package dev.zeroserve.scheduling;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.BatchExecutor;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;

/**
 * One execution of a batch on the engine, on a worker's thread. When an execution of several entries fails, the
 * batch is split in two and each half run again, down to single entries, so that only the entries that cause the
 * failure fail.
 */
final class IsolatingExecution {
    // The batcher's category, where its debug log is turned on.
    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

    private final BatchExecutor executor;
    private final BatchObserver observer;

    IsolatingExecution(BatchExecutor executor, BatchObserver observer) {
        this.executor = executor;
        this.observer = observer;
    }

    /** Runs the batch and answers its entries; if it fails with several, runs each half again. */
    void run(List<QueuedEntry> batch) {
        List<BatchEntry> entries = new ArrayList<>(batch.size());
        long rows = 0;
        for (QueuedEntry pending : batch) {
            entries.add(pending.entry);
            rows += pending.entry.rows();
        }
        List<List<Tensor>> outputs;
        long started = System.nanoTime();
        try {
            outputs = executor.execute(entries, observer.batchStarted(batch.size(), rows));
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            if (batch.size() == 1) {
                batch.get(0).ran(started, System.nanoTime(), rows);
                batch.get(0).fail(e instanceof RuntimeException runtime ? runtime
                        : new InferenceException(Status.INTERNAL, "the model execution failed: " + e, e));
                return;
            }
            LOG.debugf("An execution of %d entries failed (%s); splitting it to find the failing ones", batch.size(), e);
            observer.batchSplit();
            int half = batch.size() / 2;
            run(batch.subList(0, half));
            run(batch.subList(half, batch.size()));
            return;
        }
        long finished = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).ran(started, finished, rows);
            batch.get(i).answer(outputs.get(i));
        }
    }
}
