package dev.zeroserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.zeroserve.metrics.TritonStatistics.BatchSize;
import dev.zeroserve.metrics.TritonStatistics.BatchStatistics;
import dev.zeroserve.metrics.TritonStatistics.Cumulative;
import dev.zeroserve.metrics.TritonStatistics.Statistics;

class TritonStatisticsTest {

    @Test
    void beforeAnyRequestEverythingIsZero() {
        Statistics statistics = new TritonStatistics().snapshot();
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

        Statistics statistics = store.snapshot();
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
