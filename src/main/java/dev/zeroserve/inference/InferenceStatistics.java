package dev.zeroserve.inference;

import java.util.List;

/**
 * The model's statistics since start, in Triton's terms (its statistics extension): requests that succeeded and
 * failed (every protocol), their time in the queue and in the three compute phases (per execution, where Triton counts
 * per request), rows inferred and executions.
 *
 * @param lastInferenceMillis when the last request was answered, in milliseconds since the epoch; 0 if none was
 */
public record InferenceStatistics(ModelMetadata model, long lastInferenceMillis, long inferenceCount,
        long executionCount, Cumulative success, Cumulative failure, Cumulative queue, Cumulative computeInput,
        Cumulative computeInfer, Cumulative computeOutput, List<BatchStatistics> batches) {

    /** A count and the time it took in all. */
    public record Cumulative(long count, long nanos) {
    }

    /** Triton's batch_stats: the compute phases of the executions of one batch size (rows). */
    public record BatchStatistics(long batchSize, Cumulative computeInput, Cumulative computeInfer,
            Cumulative computeOutput) {
    }
}
