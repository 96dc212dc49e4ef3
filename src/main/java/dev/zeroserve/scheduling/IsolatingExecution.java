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

    /**
     * Runs the batch and answers its entries; if it fails with several, runs each half again. The entries are
     * answered after the engine is done with the whole batch, so that {@code engineDone} runs before any client sees
     * an answer and can send its next request.
     *
     * @param alone whether no other execution ran and nothing waited when the batch was taken
     * @param engineDone called once, when the engine has finished every execution of the batch
     */
    void run(List<QueuedEntry> batch, boolean alone, Runnable engineDone) {
        List<Runnable> answers = new ArrayList<>(batch.size());
        try {
            execute(batch, alone, answers);
        } finally {
            engineDone.run();
        }
        for (Runnable answer : answers) {
            answer.run();
        }
    }

    private void execute(List<QueuedEntry> batch, boolean alone, List<Runnable> answers) {
        List<BatchEntry> entries = new ArrayList<>(batch.size());
        long rows = 0;
        for (QueuedEntry pending : batch) {
            entries.add(pending.entry);
            rows += pending.entry.rows();
        }
        List<List<Tensor>> outputs;
        long started = System.nanoTime();
        try {
            outputs = executor.execute(entries, observer.batchStarted(batch.size(), rows), alone);
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            if (batch.size() == 1) {
                QueuedEntry only = batch.get(0);
                only.ran(started, System.nanoTime(), rows);
                RuntimeException failure = e instanceof RuntimeException runtime ? runtime
                        : new InferenceException(Status.INTERNAL, "the model execution failed: " + e, e);
                answers.add(() -> only.fail(failure));
                return;
            }
            LOG.debugf("An execution of %d entries failed (%s); splitting it to find the failing ones", batch.size(), e);
            observer.batchSplit();
            int half = batch.size() / 2;
            execute(batch.subList(0, half), alone, answers);
            execute(batch.subList(half, batch.size()), alone, answers);
            return;
        }
        long finished = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            QueuedEntry pending = batch.get(i);
            List<Tensor> own = outputs.get(i);
            pending.ran(started, finished, rows);
            answers.add(() -> pending.answer(own));
        }
    }
}
