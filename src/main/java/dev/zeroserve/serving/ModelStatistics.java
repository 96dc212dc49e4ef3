package dev.zeroserve.serving;

import java.util.List;

import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.metrics.TritonStatistics;

/**
 * The model's statistics since start, in Triton's terms, for its statistics extension: requests that succeeded and
 * failed (every protocol), their time in the queue and in the three compute phases, rows inferred and executions.
 *
 * @param lastInferenceMillis when the last request was answered, in milliseconds since the epoch; 0 if none was
 */
public record ModelStatistics(ModelMetadata model, long lastInferenceMillis, long inferenceCount,
        long executionCount, Duration success, Duration failure, Duration queue, Duration computeInput,
        Duration computeInfer, Duration computeOutput, List<BatchStatistics> batches) {

    /** A count and the time it took in all. */
    public record Duration(long count, long nanos) {
        static Duration of(TritonStatistics.Cumulative cumulative) {
            return new Duration(cumulative.count(), cumulative.nanos());
        }
    }

    /** Triton's batch_stats: the compute phases of the executions of one batch size (rows). */
    public record BatchStatistics(long batchSize, Duration computeInput, Duration computeInfer,
            Duration computeOutput) {
    }

    static ModelStatistics of(ModelMetadata model, TritonStatistics.Statistics statistics) {
        return new ModelStatistics(model, statistics.lastInferenceMillis(), statistics.inferenceCount(),
                statistics.executionCount(), Duration.of(statistics.success()), Duration.of(statistics.failure()),
                Duration.of(statistics.queue()), Duration.of(statistics.computeInput()),
                Duration.of(statistics.computeInfer()), Duration.of(statistics.computeOutput()),
                statistics.batches().stream().map(batch -> new BatchStatistics(batch.batchSize(),
                        Duration.of(batch.computeInput()), Duration.of(batch.computeInfer()),
                        Duration.of(batch.computeOutput()))).toList());
    }
}
