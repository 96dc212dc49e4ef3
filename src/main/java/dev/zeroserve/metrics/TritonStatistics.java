package dev.zeroserve.metrics;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import dev.zeroserve.inference.InferenceStatistics;
import dev.zeroserve.inference.InferenceStatistics.BatchStatistics;
import dev.zeroserve.inference.InferenceStatistics.Cumulative;
import dev.zeroserve.inference.ModelMetadata;

/**
 * Triton's statistics of the served model since start (its statistics extension), apart from the Micrometer meters:
 * counters that any thread adds to without a lock, read as one snapshot.
 */
public final class TritonStatistics {
    /** A count and its time, added to by many threads. */
    private static final class Tally {
        private final LongAdder count = new LongAdder();
        private final LongAdder nanos = new LongAdder();

        void add(long elapsed) {
            count.increment();
            nanos.add(elapsed);
        }

        Cumulative sum() {
            return new Cumulative(count.sum(), nanos.sum());
        }
    }

    /** The compute phases of one batch size's executions. */
    static final class BatchSize {
        static final int INPUT = 0;
        static final int INFER = 1;
        static final int OUTPUT = 2;

        private final long rows;
        private final Tally[] phases = { new Tally(), new Tally(), new Tally() };

        private BatchSize(long rows) {
            this.rows = rows;
        }

        void add(int phase, long elapsed) {
            phases[phase].add(elapsed);
        }

        BatchStatistics statistics() {
            return new BatchStatistics(rows, phases[INPUT].sum(), phases[INFER].sum(), phases[OUTPUT].sum());
        }
    }

    private final Tally success = new Tally();
    private final Tally failure = new Tally();
    private final Tally queue = new Tally();
    private final LongAdder inferences = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final AtomicLong lastInferenceMillis = new AtomicLong();
    private final ConcurrentHashMap<Long, BatchSize> batchSizes = new ConcurrentHashMap<>();

    void requestSucceeded(long nanos) {
        success.add(nanos);
        lastInferenceMillis.set(System.currentTimeMillis());
    }

    void requestFailed(long nanos) {
        failure.add(nanos);
        lastInferenceMillis.set(System.currentTimeMillis());
    }

    void queued(long waitedNanos) {
        queue.add(waitedNanos);
    }

    void executionStarted(long rows) {
        executions.increment();
        inferences.add(rows);
    }

    /** The counters of one batch size, made on its first execution. */
    BatchSize batchSize(long rows) {
        return batchSizes.computeIfAbsent(rows, BatchSize::new);
    }

    /** The statistics so far; each execution has one batch size, so the model's compute phases are their sums. */
    public InferenceStatistics snapshot(ModelMetadata model) {
        List<BatchStatistics> batches = batchSizes.values().stream().map(BatchSize::statistics)
                .sorted(Comparator.comparingLong(BatchStatistics::batchSize)).toList();
        return new InferenceStatistics(model, lastInferenceMillis.get(), inferences.sum(), executions.sum(), success.sum(),
                failure.sum(), queue.sum(), total(batches, BatchStatistics::computeInput),
                total(batches, BatchStatistics::computeInfer), total(batches, BatchStatistics::computeOutput),
                batches);
    }

    private static Cumulative total(List<BatchStatistics> batches,
            Function<BatchStatistics, Cumulative> phase) {
        long count = 0;
        long nanos = 0;
        for (BatchStatistics batch : batches) {
            Cumulative cumulative = phase.apply(batch);
            count += cumulative.count();
            nanos += cumulative.nanos();
        }
        return new Cumulative(count, nanos);
    }
}
