package dev.zeroserve.lifecycle;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import dev.zeroserve.config.ZeroserveConfig;

/**
 * How a model's rows share executions, decided from configuration and what the graph shows. A model whose rows are
 * coupled within an execution (a dynamically quantized one computes scales over the whole batch) runs row by row for
 * exact answers, unless {@code zeroserve.batching.policy=batch}, in one execution per core.
 */
final class BatchingPolicy {
    private final ZeroserveConfig.BatchingPolicy policy;
    private final int maxBatchSize;
    private final OptionalInt parallelBatches;
    private final int cores;

    BatchingPolicy(ZeroserveConfig.BatchingPolicy policy, int maxBatchSize, OptionalInt parallelBatches, int cores) {
        this.policy = policy;
        this.maxBatchSize = maxBatchSize;
        this.parallelBatches = parallelBatches;
        this.cores = cores;
    }

    static BatchingPolicy of(ZeroserveConfig.Batching batching) {
        return new BatchingPolicy(batching.policy(), batching.maxBatchSize(), batching.parallelBatches(),
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * What was decided, and why, in the words the model metadata shows.
     *
     * @param maxBatchSize the most rows of one execution: 1 where rows run alone
     */
    record Decision(boolean singleRow, int maxBatchSize, String reason) {
        /** The metadata properties that say which policy is active and why. */
        Map<String, String> properties() {
            return Map.of(ServedModel.BATCHING, singleRow ? "single_row" : "cross_request",
                    ServedModel.BATCHING_REASON, reason);
        }
    }

    /** Whether rows run alone: the model's rows are coupled (unless the policy says batch), or the policy says so. */
    boolean singleRow(Optional<String> coupling) {
        return switch (policy) {
            case AUTO -> coupling.isPresent();
            case BATCH -> false;
            case SINGLE_ROW -> true;
        };
    }

    /**
     * Executions at once: as configured, else one per core on CPU (batched or not: two batches of one thread each
     * beat one batch of two threads by 1.26-1.48 x at 64 concurrent requests on two cores, docs/performance.md, and a
     * lone execution still gets every core, engine/LoneExecution), one per core for rows that run alone on a GPU, and
     * one batch at a time on a GPU.
     */
    int parallelExecutions(Optional<String> coupling, boolean onCpu) {
        return parallelBatches.orElse(onCpu || singleRow(coupling) ? cores : 1);
    }

    /**
     * @param batchable whether the model has a dynamic batch dimension
     * @param coupling the operators that couple rows within an execution, if the graph has any
     */
    Decision decide(boolean batchable, Optional<String> coupling) {
        boolean singleRow = singleRow(coupling);
        String reason;
        if (!batchable) {
            reason = "none: the model has no dynamic batch dimension, so every request runs alone";
        } else if (singleRow) {
            reason = "single row: " + coupling.map(ops -> "the graph computes quantization scales over the whole "
                    + "batch (" + ops + "), so rows sharing an execution would change one another's results; every "
                    + "row runs alone for exact answers, zeroserve.batching.policy=batch trades that for throughput")
                    .orElse("zeroserve.batching.policy=single-row");
        } else {
            reason = "across requests, up to " + maxBatchSize + " rows: " + coupling.map(ops -> "the "
                    + "graph couples rows (" + ops + ") but zeroserve.batching.policy=batch allows it, so results may "
                    + "depend on batch mates").orElse("rows are computed independently, so results do not depend on "
                    + "batch mates");
        }
        return new Decision(singleRow, singleRow ? 1 : maxBatchSize, reason);
    }
}
