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
    void aSweepRunsEveryCombinationOfItsValuesOnEverySetting() {
        Map<String, List<String>> grid = Plan.grid("batching.max-batch-size=1,8; batching.parallel-batches=1,2");
        assertThat(grid).containsExactly(Map.entry("zeroserve.batching.max-batch-size", List.of("1", "8")),
                Map.entry("zeroserve.batching.parallel-batches", List.of("1", "2")));

        List<Map<String, String>> settings = Plan.sweep(Plan.settings("batching.policy=batch"), grid);

        assertThat(settings).extracting(setting -> setting.get("zeroserve.batching.max-batch-size") + "x"
                + setting.get("zeroserve.batching.parallel-batches")).containsExactly("1x1", "1x2", "8x1", "8x2");
        assertThat(settings).allSatisfy(setting -> assertThat(setting).containsEntry("zeroserve.batching.policy",
                "batch"));
        assertThatThrownBy(() -> Plan.grid("batching.max-batch-size")).hasMessageContaining("key=value,value")
                .hasMessageContaining("'batching.max-batch-size'");
        assertThatThrownBy(() -> Plan.grid("a=1;a=2")).hasMessageContaining("names a twice");
    }

    @Test
    void theSweepTableListsTheFastestCombinationFirstWithItsLatency() {
        Capacity capacity = new Capacity("2026-12-07T07:00:00Z", "2 cores", "POST /v1/embeddings", List.of(
                swept("1", "2", new Capacity.Cell(1, 300, 3.3, 5.0, 0), new Capacity.Cell(16, 900, 17.7, 30.1, 0)),
                swept("8", "1", new Capacity.Cell(1, 250, 4.0, 6.0, 0), new Capacity.Cell(16, 1100, 14.5, 22.0, 0),
                        new Capacity.Cell(64, 1300, 49.0, 80.0, 3))));

        String table = SweepTable.of(capacity, List.of("zeroserve.batching.max-batch-size",
                "zeroserve.batching.parallel-batches"));

        assertThat(table.lines()).containsExactly(
                "batching.max-batch-size  batching.parallel-batches  best req/s  at concurrency  p50 ms  p99 ms  "
                        + "c=1 p50 ms  first answer ms",
                "                      8                          1      1100.0              16   14.50   22.00  "
                        + "      4.00             2500",
                "                      1                          2       900.0              16   17.70   30.10  "
                        + "      3.30             2500");
    }

    private static Capacity.Setting swept(String batch, String instances, Capacity.Cell... cells) {
        return new Capacity.Setting("max-batch-size=" + batch + " parallel-batches=" + instances, Map.of(
                "zeroserve.batching.max-batch-size", batch, "zeroserve.batching.parallel-batches", instances),
                new Capacity.ColdStart(1, 2000, 2500, List.of(2500.0)), List.of(cells));
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
