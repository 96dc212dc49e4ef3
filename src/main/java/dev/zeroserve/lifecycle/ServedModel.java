package dev.zeroserve.lifecycle;

import java.util.concurrent.TimeUnit;

import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.scheduling.DynamicBatcher;

/**
 * The model as a request finds it, resolved once per request: what it is, and the scheduler its entries go to.
 *
 * @param singleRow whether every row runs alone (its rows depend on their batch mates): a request of several rows
 *        is then queued as one entry per row
 */
public record ServedModel(ModelMetadata metadata, DynamicBatcher scheduler, boolean singleRow) {
    /** The most rows one execution runs, as Triton's max_batch_size: 0 for a model without a batch dimension. */
    public int maxBatchSize() {
        return metadata.batchable() ? scheduler.settings().maxBatchSize() : 0;
    }

    /** Executions run at the same time (Triton's instance count). */
    public int parallelExecutions() {
        return scheduler.settings().parallelBatches();
    }

    /** How long the first entry of a batch waits for others to join it. */
    public long maxQueueDelayMicros() {
        return TimeUnit.NANOSECONDS.toMicros(scheduler.settings().maxQueueDelayNanos());
    }
    /** Metadata property: how rows of different requests share executions, {@code cross_request} or {@code single_row}. */
    public static final String BATCHING = "batching";
    /** Metadata property: why that policy is active. */
    public static final String BATCHING_REASON = "batching_reason";
    /** Metadata property: the token positions one execution of token sequences holds at most, or {@code none}. */
    public static final String MAX_BATCH_TOKENS = "max_batch_tokens";
}
