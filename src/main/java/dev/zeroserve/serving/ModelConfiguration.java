package dev.zeroserve.serving;

import dev.zeroserve.inference.ModelMetadata;

/**
 * How the served model runs, for Triton's model configuration document.
 *
 * @param maxBatchSize the most rows one execution runs, as Triton's max_batch_size: 0 for a model without a batch
 *        dimension
 * @param parallelExecutions executions run at the same time (Triton's instance count)
 * @param maxQueueDelayMicros how long the first entry of a batch waits for others to join it
 * @param deviceId the GPU the model runs on, when its execution provider is not the CPU
 */
public record ModelConfiguration(ModelMetadata metadata, int maxBatchSize, int parallelExecutions,
        long maxQueueDelayMicros, int deviceId) {
}
