package dev.zeroserve.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The planner's choice on a synthetic capacity file of two settings. */
class KnativePlannerTest {
    private static final Capacity.ColdStart COLD_START = new Capacity.ColdStart(3, 1800, 2100, List.of(2000.0, 2100.0, 2300.0));

    /** Saturates at ~800 req/s; p99 keeps 50 ms up to concurrency 16. */
    private static final Capacity.Setting DEFAULTS = new Capacity.Setting("defaults", Map.of(), COLD_START, List.of(
            new Capacity.Cell(1, 300, 3, 5, 0), new Capacity.Cell(4, 700, 5.5, 12, 0),
            new Capacity.Cell(16, 800, 20, 40, 0), new Capacity.Cell(64, 820, 78, 150, 0)));

    /** Batches: more throughput at high concurrency, slower at low; keeps 50 ms only up to 4, with errors at 64. */
    private static final Capacity.Setting BATCH = new Capacity.Setting("batching.policy=batch",
            Map.of("zeroserve.batching.policy", "batch"), COLD_START, List.of(
                    new Capacity.Cell(1, 250, 4, 6, 0), new Capacity.Cell(4, 650, 6, 14, 0),
                    new Capacity.Cell(16, 1100, 14, 60, 0), new Capacity.Cell(64, 1400, 45, 90, 12)));

    private static final Capacity CAPACITY = new Capacity("2026-12-01T00:00:00Z", "2 cores", "POST /v1/embeddings",
            List.of(DEFAULTS, BATCH));

    @Test
    void tightGoalPicksTheSettingWithMostThroughputWithinIt() {
        KnativePlanner.Plan plan = KnativePlanner.plan(CAPACITY, 50, 70, null);
        // defaults: 800 req/s at c=16 within 50 ms; batch: 650 req/s at c=4 (c=16 has p99 60).
        assertThat(plan.setting().name()).isEqualTo("defaults");
        assertThat(plan.containerConcurrency()).isEqualTo(16);
        assertThat(plan.target()).isEqualTo(16);
        assertThat(plan.hpaAverageInflight()).isEqualTo(11); // round(16 × 0.7)
        assertThat(plan.buildProperties()).containsEntry("quarkus.knative.revision-auto-scaling.container-concurrency", "16")
                .containsEntry("quarkus.knative.revision-auto-scaling.target", "16")
                .containsEntry("quarkus.knative.revision-auto-scaling.target-utilization-percentage", "70")
                .containsEntry(KnativePlanner.HPA_TARGET_KEY, "11")
                .doesNotContainKey("quarkus.knative.min-scale");
    }

    @Test
    void pastTheKneeMoreConcurrencyIsNotChosen() {
        // Within 200 ms, c=64 gives the most (820 req/s, p99 150 ms), but c=16 already gives 800 (>= 90 %).
        assertThat(KnativePlanner.sloCell(DEFAULTS, 200).concurrency()).isEqualTo(16);
        assertThat(KnativePlanner.sloCell(DEFAULTS, 12).concurrency()).isEqualTo(4);
        assertThat(KnativePlanner.sloCell(DEFAULTS, 4)).isNull();
    }

    @Test
    void looserGoalPicksBatchingButNotTheCellWithErrors() {
        KnativePlanner.Plan plan = KnativePlanner.plan(CAPACITY, 100, 50, 1);
        // batch at c=64 has p99 90 but 12 errors, so batch counts c=16 (1100 req/s) against defaults' c=16 (800;
        // its c=64 has p99 150).
        assertThat(plan.setting().name()).isEqualTo("batching.policy=batch");
        assertThat(plan.containerConcurrency()).isEqualTo(16);
        assertThat(plan.hpaAverageInflight()).isEqualTo(8);
        assertThat(plan.knativeAnnotations()).containsEntry("autoscaling.knative.dev/min-scale", "1")
                .containsEntry("autoscaling.knative.dev/target-utilization-percentage", "50");
        assertThat(plan.buildProperties()).containsEntry("quarkus.knative.env.vars.zeroserve-batching-policy", "batch")
                .containsEntry("quarkus.kubernetes.env.vars.zeroserve-batching-policy", "batch")
                .containsEntry("quarkus.knative.min-scale", "1");
    }

    @Test
    void goalNoSettingMeetsIsAnErrorThatSaysSo() {
        assertThatThrownBy(() -> KnativePlanner.plan(CAPACITY, 4, 70, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no measured setting keeps p99 <= 4 ms")
                .hasMessageContaining("lowest p99 5.0 ms at concurrency 1");
    }
}
