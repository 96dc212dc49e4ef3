package dev.zeroserve.lifecycle;

import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.scheduling.DynamicBatcher;

/**
 * The model as a request finds it, resolved once per request: what it is, and the scheduler its entries go to.
 *
 * @param singleRow whether every row runs alone (its rows depend on their batch mates): a request of several rows
 *        is then queued as one entry per row
 * @param scheduling the same facts, for clients that ask for the model's configuration
 */
public record ServedModel(ModelMetadata metadata, DynamicBatcher scheduler, boolean singleRow, Scheduling scheduling) {
    /**
     * How the model's requests are scheduled, as Triton's model configuration describes it.
     *
     * @param maxBatchSize the most rows one execution runs; 0 for a model without a batch dimension
     * @param acrossRequests whether rows of different requests share executions (Triton's dynamic batching)
     * @param parallelExecutions executions run at the same time (Triton's instance count)
     */
    public record Scheduling(int maxBatchSize, boolean acrossRequests, long maxQueueDelayMicros,
            int parallelExecutions) {
    }

    /** Metadata property: how rows of different requests share executions, {@code cross_request} or {@code single_row}. */
    public static final String BATCHING = "batching";
    /** Metadata property: why that policy is active. */
    public static final String BATCHING_REASON = "batching_reason";
}
