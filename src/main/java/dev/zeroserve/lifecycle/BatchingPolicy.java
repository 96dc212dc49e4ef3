package dev.zeroserve.lifecycle;

import java.util.LinkedHashMap;
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
    /**
     * Token positions of one execution on CPU by default. In-process on two cores (docs/performance.md, issue 25),
     * batches of 16-token rows gain up to 32 rows, while at 128 tokens a batch of 8 rows is no faster than rows
     * alone and one of 32 slower; served at 128 tokens, 16 rows a batch made 0.74-0.83 x what rows alone made.
     */
    static final int CPU_BATCH_TOKENS = 512;

    private final ZeroserveConfig.BatchingPolicy policy;
    private final int maxBatchSize;
    private final OptionalInt maxBatchTokens;
    private final OptionalInt parallelBatches;
    private final int cores;

    BatchingPolicy(ZeroserveConfig.BatchingPolicy policy, int maxBatchSize, OptionalInt maxBatchTokens,
            OptionalInt parallelBatches, int cores) {
        this.policy = policy;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchTokens = maxBatchTokens;
        this.parallelBatches = parallelBatches;
        this.cores = cores;
    }

    static BatchingPolicy of(ZeroserveConfig.Batching batching) {
        return new BatchingPolicy(batching.policy(), batching.maxBatchSize(), batching.maxBatchTokens(),
                batching.parallelBatches(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * What was decided, and why, in the words the model metadata shows.
     *
     * @param maxBatchSize the most rows of one execution: 1 where rows run alone
     * @param maxBatchTokens the most token positions of one execution of token sequences; 0 = no bound
     */
    record Decision(boolean singleRow, int maxBatchSize, long maxBatchTokens, String reason) {
        /** The metadata properties that say which policy is active and why, and the batches' bounds. */
        Map<String, String> properties() {
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put(ServedModel.BATCHING, singleRow ? "single_row" : "cross_request");
            properties.put(ServedModel.BATCHING_REASON, reason);
            properties.put(ServedModel.MAX_BATCH_TOKENS, maxBatchTokens > 0 ? Long.toString(maxBatchTokens) : "none");
            return properties;
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
     * @param onCpu whether the model runs on CPU, where long sequences batch by a token budget
     * @param takesTokens whether the model takes token sequences, which alone the budget counts
     */
    Decision decide(boolean batchable, Optional<String> coupling, boolean onCpu, boolean takesTokens) {
        boolean singleRow = singleRow(coupling);
        int tokens = batchable && takesTokens ? maxBatchTokens.orElse(onCpu ? CPU_BATCH_TOKENS : 0) : 0;
        String reason;
        if (!batchable) {
            reason = "none: the model has no dynamic batch dimension, so every request runs alone";
        } else if (singleRow) {
            reason = "single row: " + coupling.map(ops -> "the graph computes quantization scales over the whole "
                    + "batch (" + ops + "), so rows sharing an execution would change one another's results; every "
                    + "row runs alone for exact answers, zeroserve.batching.policy=batch trades that for throughput")
                    .orElse("zeroserve.batching.policy=single-row");
        } else {
            reason = "across requests, up to " + maxBatchSize + " rows" + (tokens > 0 ? " and " + tokens
                    + " token positions (rows times the longest sequence)" : "") + ": " + coupling.map(ops -> "the "
                    + "graph couples rows (" + ops + ") but zeroserve.batching.policy=batch allows it, so results may "
                    + "depend on batch mates").orElse("rows are computed independently, so results do not depend on "
                    + "batch mates");
        }
        return new Decision(singleRow, singleRow ? 1 : maxBatchSize, singleRow ? 0 : tokens, reason);
    }
}
