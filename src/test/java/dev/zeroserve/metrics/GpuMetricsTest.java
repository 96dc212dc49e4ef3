package dev.zeroserve.metrics;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.FakeNvml;
import dev.zeroserve.testing.ObservabilityProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The nv_gpu_* meters of a service whose "driver" is the fake NVML library. */
@QuarkusTest
@TestProfile(ObservabilityProfile.class)
class GpuMetricsTest {
    private static final String FIRST = "gpu_uuid=\"GPU-fa4e0000-0000-4000-8000-000000000000\"";
    private static final String SECOND = "gpu_uuid=\"GPU-fa4e0000-0000-4000-8000-000000000001\"";

    @Test
    void everyGpuIsReportedUnderTritonsNamesAndFollowsTheDriver() throws InterruptedException {
        List<String> metrics = awaitLines("nv_gpu_utilization{" + FIRST + "} 0.37",
                "nv_gpu_memory_total_bytes{" + FIRST + "} 1.50754820096E11",
                "nv_gpu_memory_used_bytes{" + FIRST + "} 1.073741824E9", "nv_gpu_power_usage{" + FIRST + "} 123.456",
                "nv_gpu_power_limit{" + FIRST + "} 700.0", "nv_gpu_temperature_celsius{" + FIRST + "} 41.0",
                "nv_gpu_temperature_celsius{" + SECOND + "} 42.0");
        assertThat(metrics).as("GPU 1 has no power reading: no series rather than a made-up value")
                .noneMatch(line -> line.startsWith("nv_gpu_power_usage{" + SECOND));

        FakeNvml.Control fake = FakeNvml.control();
        try {
            fake.fake_nvml_set_utilization(0, 80);
            awaitLines("nv_gpu_utilization{" + FIRST + "} 0.8");
        } finally {
            fake.fake_nvml_set_utilization(0, 37);
        }
    }

    @Test
    void eachSampleQueriesAGpusMemoryOnce() throws InterruptedException {
        awaitLines("nv_gpu_utilization{" + FIRST + "} 0.37");
        FakeNvml.Control fake = FakeNvml.control();
        long memoryBefore = fake.fake_nvml_memory_info_calls();
        long samplesBefore = fake.fake_nvml_utilization_calls();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (fake.fake_nvml_utilization_calls() - samplesBefore < 10 && System.nanoTime() < deadline) {
            Thread.sleep(50); // five samples of two GPUs at the test's 0.1 s interval
        }
        long memoryCalls = fake.fake_nvml_memory_info_calls() - memoryBefore;
        long samples = fake.fake_nvml_utilization_calls() - samplesBefore;
        assertThat(samples).as("GPU samples within 10 s").isGreaterThanOrEqualTo(10);
        // Total and used memory come from one query; the total, which does not change, is not queried again.
        assertThat(memoryCalls).as("memory queries for %d GPU samples", samples).isBetween(samples - 2, samples + 2);
    }

    @Test
    void aLostGpuLeavesGapsInItsSeriesTotalMemoryIncludedUntilItAnswersAgain() throws InterruptedException {
        String total = "nv_gpu_memory_total_bytes{" + FIRST + "} ";
        awaitLines(total + "1.50754820096E11");
        FakeNvml.Control fake = FakeNvml.control();
        try {
            fake.fake_nvml_set_lost(0, 1);
            // Total memory is read once; a GPU that stops answering must not keep its last total as if it were there.
            awaitLines(total + "NaN", "nv_gpu_memory_used_bytes{" + FIRST + "} NaN",
                    "nv_gpu_utilization{" + FIRST + "} NaN", "nv_gpu_temperature_celsius{" + SECOND + "} 42.0");
        } finally {
            fake.fake_nvml_set_lost(0, 0);
        }
        awaitLines(total + "1.50754820096E11", "nv_gpu_memory_used_bytes{" + FIRST + "} 1.073741824E9");
    }

    @Test
    void aReadingTheDriverRefusesGapsThatSeriesOnly() throws InterruptedException {
        String power = "nv_gpu_power_usage{" + FIRST + "} ";
        awaitLines(power + "123.456");
        FakeNvml.Control fake = FakeNvml.control();
        try {
            fake.fake_nvml_set_power_error(0, 4); // NVML_ERROR_NO_PERMISSION, as some containers answer
            awaitLines(power + "NaN", "nv_gpu_utilization{" + FIRST + "} 0.37",
                    "nv_gpu_memory_total_bytes{" + FIRST + "} 1.50754820096E11",
                    "nv_gpu_memory_used_bytes{" + FIRST + "} 1.073741824E9");
            // a later sample too: the GPU is not taken for lost
            long samples = fake.fake_nvml_utilization_calls();
            Await.until(Duration.ofSeconds(10), () -> fake.fake_nvml_utilization_calls() >= samples + 4);
            awaitLines(power + "NaN", "nv_gpu_utilization{" + FIRST + "} 0.37",
                    "nv_gpu_memory_total_bytes{" + FIRST + "} 1.50754820096E11");
        } finally {
            fake.fake_nvml_set_power_error(0, 0);
        }
        awaitLines(power + "123.456");
    }

    /** The scrape once it holds every line: a scrape may fall between two of a sample's readings. */
    private static List<String> awaitLines(String... expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<String> lines = Arrays.asList(given().get("/q/metrics").then().statusCode(200).extract().asString()
                    .split("\n"));
            if (lines.containsAll(Arrays.asList(expected))) {
                return lines;
            }
            if (System.nanoTime() > deadline) {
                assertThat(lines).as("metrics after 10 s").contains(expected);
            }
            Thread.sleep(50);
        }
    }
}
