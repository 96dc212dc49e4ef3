package dev.zeroserve.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Reading wrk's report, and the settings syntax of plan measure. */
class MeasureTest {
    private static final String WRK_REPORT = """
            Running 6s test @ http://localhost:18090/v1/embeddings
              1 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   135.10ms   20.01ms 250.00ms   70.00%
                Req/Sec   480.00     50.00   600.00     68.00%
              Latency Distribution
                 50%  135.32ms
                 75%  150.00ms
                 90%  165.00ms
                 99%    1.20s
              2860 requests in 6.00s, 9.10MB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 4
            Requests/sec:    476.33
            Transfer/sec:      1.52MB
            """;

    @Test
    void readsThroughputPercentilesInTheirUnitsAndErrors() {
        Capacity.Cell cell = Measure.parse(64, WRK_REPORT);
        assertThat(cell.concurrency()).isEqualTo(64);
        assertThat(cell.requestsPerSecond()).isEqualTo(476.33);
        assertThat(cell.p50Ms()).isEqualTo(135.32);
        assertThat(cell.p99Ms()).isEqualTo(1200);
        assertThat(cell.errors()).isEqualTo(7);
        assertThat(Measure.parse(1, WRK_REPORT.replace("135.32ms", "689.00us")).p50Ms()).isEqualTo(0.689);
    }

    @Test
    void aReportWithoutTheLatencyDistributionIsRefused() {
        assertThatThrownBy(() -> Measure.parse(1, "Requests/sec: 10.0\n"))
                .hasMessageContaining("no latency distribution");
    }

    @Test
    void settingsAreSemicolonSeparatedWithZeroserveKeysByDefault() {
        assertThat(Plan.settings("defaults;batching.policy=batch,batching.parallel-batches=1;quarkus.x=y")).isEqualTo(
                List.of(Map.of(), Map.of("zeroserve.batching.policy", "batch", "zeroserve.batching.parallel-batches",
                        "1"), Map.of("quarkus.x", "y")));
        assertThatThrownBy(() -> Plan.settings("batching.policy")).hasMessageContaining("key=value")
                .hasMessageContaining("'batching.policy'");
    }

    @Test
    void coldStartPhasesAreReadFromTheServicesOwnMetrics() {
        String metrics = """
                # TYPE zeroserve_cold_start_phase_seconds gauge
                zeroserve_cold_start_phase_seconds{phase="ready"} 2.38
                zeroserve_cold_start_phase_seconds{phase="first_answer"} 2.624
                """;
        assertThat(Measure.phaseMillis(metrics, "ready")).isEqualTo(2380.0);
        assertThat(Measure.phaseMillis(metrics, "first_answer")).isCloseTo(2624.0, within(1e-9));
        assertThat(Measure.phaseMillis("401 Unauthorized", "ready")).isNaN();
    }
}
