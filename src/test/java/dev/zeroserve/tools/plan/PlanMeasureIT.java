package dev.zeroserve.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.zeroserve.testing.ExternalTools;
import dev.zeroserve.testing.FreePort;

/**
 * {@code plan measure} against the packaged service (after {@code package}; needs {@code wrk}, which
 * {@code .ci/run} installs): two cold starts, a short sweep, a capacity file the planner accepts, and its chart.
 */
class PlanMeasureIT {
    @TempDir
    Path work;

    @Test
    void measuresColdStartAndASweepIntoACapacityFile() throws Exception {
        ExternalTools.require("wrk", "wrk");
        int port = FreePort.find();
        Path out = work.resolve("capacity.json");
        Plan.run(new String[] { "measure", "--jar", "target/quarkus-app/quarkus-run.jar", "--port",
                Integer.toString(port), "--concurrency", "1,4", "--seconds", "2", "--warmup", "2", "--cold-starts", "2",
                "--out", out.toString() });

        Capacity capacity = Capacity.read(out);
        assertThat(capacity.settings()).hasSize(1);
        Capacity.Setting setting = capacity.settings().get(0);
        assertThat(setting.name()).isEqualTo("defaults");
        assertThat(setting.coldStart().runs()).isEqualTo(2);
        assertThat(setting.coldStart().firstAnswerRunsMs()).hasSize(2);
        assertThat(setting.coldStart().readyMs()).isPositive();
        assertThat(setting.coldStart().firstAnswerMs()).isGreaterThanOrEqualTo(setting.coldStart().readyMs());
        assertThat(setting.cells()).extracting(Capacity.Cell::concurrency).containsExactly(1, 4);
        assertThat(setting.cells()).allSatisfy(cell -> {
            assertThat(cell.requestsPerSecond()).isPositive();
            assertThat(cell.p50Ms()).isPositive().isLessThanOrEqualTo(cell.p99Ms());
            assertThat(cell.errors()).isZero();
        });
        assertThat(Files.readString(work.resolve("capacity.svg"))).contains("<svg", "Throughput of one pod");
        assertThat(KnativePlanner.plan(capacity, 10_000, 70, null).containerConcurrency()).isIn(1, 4);
    }
}
