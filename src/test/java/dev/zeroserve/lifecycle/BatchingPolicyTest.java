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
        BatchingPolicy.Decision decision = policy(ZeroserveConfig.BatchingPolicy.AUTO).decide(true, INDEPENDENT, true, true);
        assertThat(decision.singleRow()).isFalse();
        assertThat(decision.maxBatchSize()).isEqualTo(32);
        assertThat(decision.reason()).startsWith("across requests, up to 32 rows and 512 token positions (rows times "
                + "the longest sequence): rows are computed independently");
        assertThat(decision.properties()).containsEntry(ServedModel.BATCHING, "cross_request")
                .containsEntry(ServedModel.MAX_BATCH_TOKENS, "512");
        assertThat(policy(ZeroserveConfig.BatchingPolicy.AUTO).parallelExecutions(INDEPENDENT, true)).isEqualTo(8);
        assertThat(policy(ZeroserveConfig.BatchingPolicy.AUTO).parallelExecutions(INDEPENDENT, false)).isEqualTo(1);
    }

    @Test
    void autoRunsCoupledRowsAloneInOneExecutionPerCore() {
        BatchingPolicy policy = policy(ZeroserveConfig.BatchingPolicy.AUTO);
        BatchingPolicy.Decision decision = policy.decide(true, COUPLED, true, true);
        assertThat(decision.singleRow()).isTrue();
        assertThat(decision.maxBatchSize()).isEqualTo(1);
        assertThat(decision.reason()).startsWith("single row: the graph computes quantization scales")
                .contains("(DynamicQuantizeLinear)");
        assertThat(decision.properties()).containsEntry(ServedModel.BATCHING, "single_row")
                .containsEntry(ServedModel.BATCHING_REASON, decision.reason())
                .containsEntry(ServedModel.MAX_BATCH_TOKENS, "none");
        assertThat(policy.parallelExecutions(COUPLED, true)).isEqualTo(8);
        assertThat(policy.parallelExecutions(COUPLED, false)).isEqualTo(8);
    }

    @Test
    void batchTradesExactnessForThroughputAndSaysSo() {
        BatchingPolicy.Decision decision = policy(ZeroserveConfig.BatchingPolicy.BATCH).decide(true, COUPLED, true, true);
        assertThat(decision.singleRow()).isFalse();
        assertThat(decision.reason()).contains("zeroserve.batching.policy=batch allows it");
    }

    @Test
    void singleRowIsSingleRowWhateverTheGraph() {
        BatchingPolicy.Decision decision = policy(ZeroserveConfig.BatchingPolicy.SINGLE_ROW).decide(true, INDEPENDENT, true, true);
        assertThat(decision.singleRow()).isTrue();
        assertThat(decision.reason()).isEqualTo("single row: zeroserve.batching.policy=single-row");
    }

    @Test
    void aModelWithoutABatchDimensionRunsEveryRequestAlone() {
        assertThat(policy(ZeroserveConfig.BatchingPolicy.AUTO).decide(false, INDEPENDENT, true, true).reason())
                .startsWith("none: the model has no dynamic batch dimension");
    }

    @Test
    void longSequencesAreBoundedByTokensOnCpuOnlyUnlessConfigured() {
        BatchingPolicy auto = policy(ZeroserveConfig.BatchingPolicy.AUTO);
        assertThat(auto.decide(true, INDEPENDENT, true, true).maxBatchTokens()).isEqualTo(BatchingPolicy.CPU_BATCH_TOKENS);
        BatchingPolicy.Decision gpu = auto.decide(true, INDEPENDENT, false, true);
        assertThat(gpu.maxBatchTokens()).isZero();
        assertThat(gpu.reason()).startsWith("across requests, up to 32 rows: ");
        assertThat(gpu.properties()).containsEntry(ServedModel.MAX_BATCH_TOKENS, "none");
        BatchingPolicy configured = new BatchingPolicy(ZeroserveConfig.BatchingPolicy.AUTO, 32, OptionalInt.of(2048),
                OptionalInt.empty(), 8);
        assertThat(configured.decide(true, INDEPENDENT, false, true).maxBatchTokens()).isEqualTo(2048);
        assertThat(new BatchingPolicy(ZeroserveConfig.BatchingPolicy.AUTO, 32, OptionalInt.of(0), OptionalInt.empty(), 8)
                .decide(true, INDEPENDENT, true, true).maxBatchTokens()).isZero();
    }

    @Test
    void aModelWithoutTokenSequencesHasNoTokenBudget() {
        BatchingPolicy.Decision images = policy(ZeroserveConfig.BatchingPolicy.AUTO).decide(true, INDEPENDENT, true,
                false);
        assertThat(images.maxBatchTokens()).isZero();
        assertThat(images.reason()).startsWith("across requests, up to 32 rows: ");
        assertThat(images.properties()).containsEntry(ServedModel.MAX_BATCH_TOKENS, "none");
        assertThat(images.properties().keySet()).containsExactly(ServedModel.BATCHING, ServedModel.BATCHING_REASON,
                ServedModel.MAX_BATCH_TOKENS);
    }

    @Test
    void configuredParallelExecutionsWin() {
        BatchingPolicy policy = new BatchingPolicy(ZeroserveConfig.BatchingPolicy.AUTO, 32, OptionalInt.empty(),
                OptionalInt.of(3), 8);
        assertThat(policy.parallelExecutions(COUPLED, true)).isEqualTo(3);
        assertThat(policy.parallelExecutions(INDEPENDENT, false)).isEqualTo(3);
    }

    private static BatchingPolicy policy(ZeroserveConfig.BatchingPolicy policy) {
        return new BatchingPolicy(policy, 32, OptionalInt.empty(), OptionalInt.empty(), 8);
    }
}
