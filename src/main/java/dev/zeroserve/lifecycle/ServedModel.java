package dev.zeroserve.lifecycle;

import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.scheduling.DynamicBatcher;

/**
 * The model as a request finds it, resolved once per request: what it is, and the scheduler its entries go to.
 *
 * @param singleRow whether every row runs alone (its rows depend on their batch mates): a request of several rows
 *        is then queued as one entry per row
 */
public record ServedModel(ModelMetadata metadata, DynamicBatcher scheduler, boolean singleRow) {
    /** Metadata property: how rows of different requests share executions, {@code cross_request} or {@code single_row}. */
    public static final String BATCHING = "batching";
    /** Metadata property: why that policy is active. */
    public static final String BATCHING_REASON = "batching_reason";
}
