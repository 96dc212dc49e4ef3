package dev.zeroserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceStatistics;
import dev.zeroserve.inference.InferenceStatistics.BatchStatistics;
import dev.zeroserve.inference.InferenceStatistics.Cumulative;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.metrics.TritonStatistics.BatchSize;

class TritonStatisticsTest {
    private static final TensorSpec SPEC = new TensorSpec("x", DataType.FP32, new long[] { -1 });
    private static final ModelMetadata MODEL = new ModelMetadata("m", "1", ModelMetadata.PLATFORM, List.of(SPEC),
            List.of(SPEC), Map.of());

    @Test
    void beforeAnyRequestEverythingIsZero() {
        InferenceStatistics statistics = new TritonStatistics().snapshot(MODEL);
        assertThat(statistics.lastInferenceMillis()).isZero();
        assertThat(statistics.success()).isEqualTo(new Cumulative(0, 0));
        assertThat(statistics.computeInfer()).isEqualTo(new Cumulative(0, 0));
        assertThat(statistics.batches()).isEmpty();
    }

    @Test
    void requestsExecutionsAndPhasesAddUpAsTritonReportsThem() {
        TritonStatistics store = new TritonStatistics();
        long before = System.currentTimeMillis();
        store.requestSucceeded(10);
        store.requestSucceeded(20);
        store.requestFailed(5);
        store.queued(3);
        store.queued(4);
        store.executionStarted(4);
        store.batchSize(4).add(BatchSize.INFER, 100);
        store.executionStarted(1);
        BatchSize one = store.batchSize(1);
        one.add(BatchSize.INPUT, 1);
        one.add(BatchSize.INFER, 50);
        one.add(BatchSize.OUTPUT, 2);

        InferenceStatistics statistics = store.snapshot(MODEL);
        assertThat(statistics.lastInferenceMillis()).isGreaterThanOrEqualTo(before);
        assertThat(statistics.success()).isEqualTo(new Cumulative(2, 30));
        assertThat(statistics.failure()).isEqualTo(new Cumulative(1, 5));
        assertThat(statistics.queue()).isEqualTo(new Cumulative(2, 7));
        assertThat(statistics.inferenceCount()).isEqualTo(5);
        assertThat(statistics.executionCount()).isEqualTo(2);
        assertThat(statistics.computeInfer()).isEqualTo(new Cumulative(2, 150));
        assertThat(statistics.computeInput()).isEqualTo(new Cumulative(1, 1));
        assertThat(statistics.batches()).extracting(BatchStatistics::batchSize).containsExactly(1L, 4L);
        assertThat(statistics.batches().get(0).computeOutput()).isEqualTo(new Cumulative(1, 2));
        assertThat(store.batchSize(4)).as("one set of counters per size").isSameAs(store.batchSize(4));
    }
}
