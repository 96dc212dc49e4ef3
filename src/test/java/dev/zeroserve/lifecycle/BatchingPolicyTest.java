package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ZeroserveConfig;

class BatchingPolicyTest {
    private static final Optional<String> COUPLED = Optional.of("DynamicQuantizeLinear");
    private static final Optional<String> INDEPENDENT = Optional.empty();

    @Test
    void autoBatchesIndependentRowsAcrossRequests() {
        BatchingPolicy.Decision decision = policy(ZeroserveConfig.BatchingPolicy.AUTO).decide(true, INDEPENDENT);
        assertThat(decision.singleRow()).isFalse();
        assertThat(decision.maxBatchSize()).isEqualTo(32);
        assertThat(decision.reason()).startsWith("across requests, up to 32 rows: rows are computed independently");
        assertThat(decision.properties()).containsEntry(ServedModel.BATCHING, "cross_request");
        assertThat(policy(ZeroserveConfig.BatchingPolicy.AUTO).parallelExecutions(INDEPENDENT, true)).isEqualTo(8);
        assertThat(policy(ZeroserveConfig.BatchingPolicy.AUTO).parallelExecutions(INDEPENDENT, false)).isEqualTo(1);
    }

    @Test
    void autoRunsCoupledRowsAloneInOneExecutionPerCore() {
        BatchingPolicy policy = policy(ZeroserveConfig.BatchingPolicy.AUTO);
        BatchingPolicy.Decision decision = policy.decide(true, COUPLED);
        assertThat(decision.singleRow()).isTrue();
        assertThat(decision.maxBatchSize()).isEqualTo(1);
        assertThat(decision.reason()).startsWith("single row: the graph computes quantization scales")
                .contains("(DynamicQuantizeLinear)");
        assertThat(decision.properties()).containsEntry(ServedModel.BATCHING, "single_row")
                .containsEntry(ServedModel.BATCHING_REASON, decision.reason());
        assertThat(policy.parallelExecutions(COUPLED, true)).isEqualTo(8);
        assertThat(policy.parallelExecutions(COUPLED, false)).isEqualTo(8);
    }

    @Test
    void batchTradesExactnessForThroughputAndSaysSo() {
        BatchingPolicy.Decision decision = policy(ZeroserveConfig.BatchingPolicy.BATCH).decide(true, COUPLED);
        assertThat(decision.singleRow()).isFalse();
        assertThat(decision.reason()).contains("zeroserve.batching.policy=batch allows it");
    }

    @Test
    void singleRowIsSingleRowWhateverTheGraph() {
        BatchingPolicy.Decision decision = policy(ZeroserveConfig.BatchingPolicy.SINGLE_ROW).decide(true, INDEPENDENT);
        assertThat(decision.singleRow()).isTrue();
        assertThat(decision.reason()).isEqualTo("single row: zeroserve.batching.policy=single-row");
    }

    @Test
    void aModelWithoutABatchDimensionRunsEveryRequestAlone() {
        assertThat(policy(ZeroserveConfig.BatchingPolicy.AUTO).decide(false, INDEPENDENT).reason())
                .startsWith("none: the model has no dynamic batch dimension");
    }

    @Test
    void configuredParallelExecutionsWin() {
        BatchingPolicy policy = new BatchingPolicy(ZeroserveConfig.BatchingPolicy.AUTO, 32, OptionalInt.of(3), 8);
        assertThat(policy.parallelExecutions(COUPLED, true)).isEqualTo(3);
        assertThat(policy.parallelExecutions(INDEPENDENT, false)).isEqualTo(3);
    }

    private static BatchingPolicy policy(ZeroserveConfig.BatchingPolicy policy) {
        return new BatchingPolicy(policy, 32, OptionalInt.empty(), 8);
    }
}
