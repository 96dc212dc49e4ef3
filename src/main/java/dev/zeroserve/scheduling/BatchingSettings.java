package dev.zeroserve.scheduling;

/**
 * How the batcher groups and admits: at most maxBatchSize rows an execution, parallelBatches executions at once.
 *
 * @param maxQueueDelayNanos how long the oldest entry may wait for a batch to fill; 0 = run what is there
 * @param queueCapacity rows that may wait for a worker
 */
public record BatchingSettings(int maxBatchSize, long maxQueueDelayNanos, int queueCapacity, int parallelBatches) {
}
