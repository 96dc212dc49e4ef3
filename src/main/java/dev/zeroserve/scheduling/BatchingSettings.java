package dev.zeroserve.scheduling;

/**
 * How the batcher groups and admits: at most maxBatchSize rows and maxBatchTokens token positions an execution,
 * parallelBatches executions at once.
 *
 * @param maxQueueDelayNanos how long the oldest entry may wait for a batch to fill; 0 = run what is there
 * @param queueCapacity rows that may wait for a worker
 * @param maxBatchTokens rows times the longest of their sequences, for entries of token sequences; 0 = no bound
 */
public record BatchingSettings(int maxBatchSize, long maxQueueDelayNanos, int queueCapacity, int parallelBatches,
        long maxBatchTokens) {

    /** Whether one execution may hold {@code rows} rows of at most {@code tokensPerRow} positions each. */
    boolean holds(long rows, long tokensPerRow) {
        return rows <= maxBatchSize && (maxBatchTokens <= 0 || rows * tokensPerRow <= maxBatchTokens);
    }
}
