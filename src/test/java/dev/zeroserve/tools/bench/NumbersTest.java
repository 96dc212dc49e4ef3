package dev.zeroserve.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scripts' numbers: h2load's gRPC report, medians, Prometheus sums, load-bench.sh's table. */
class NumbersTest {
    private static final String H2LOAD = """
            finished in 2.00s, 500.50 req/s, 1.00MB/s
            requests: 1001 total, 1001 started, 1001 done, 1001 succeeded, 0 failed, 0 errored, 0 timeout
            status codes: 1001 2xx, 0 3xx, 0 4xx, 0 5xx
            traffic: 2.00MB (2097152) total, 20.00KB (20480) headers (space savings 90.00%), 1.90MB (1000000) data
            """;

    @Test
    void h2loadCountsSuccessesFromTheAnswersBytesAndReadsLatencyFromItsLog() {
        List<String> log = List.of("1\t200\t1000", "2\t200\t2000", "3\t200\t3000", "4\t200\t100000");
        LoadReport report = LoadReport.h2load(H2LOAD, log, 1000);
        assertThat(report.requestsPerSecond()).isEqualTo(500.5);
        assertThat(report.errors()).as("1001 done, 1000 complete answers").isEqualTo(1);
        assertThat(report.p50Ms()).isEqualTo(2.0);
        assertThat(report.p99Ms()).isEqualTo(100.0);
        assertThat(LoadReport.h2load("", List.of(), 1000).errors()).as("nothing answered").isEqualTo(1);
        assertThat(Numbers.answered(H2LOAD)).isEqualTo(1001);
    }

    @Test
    void wrkWithoutItsLatencyDistributionStillCountsAnswersAndRefusals() {
        String wrk = """
                Running 3s test @ http://localhost:18181/v2/models/all-minilm-l6-v2/infer
                  59 requests in 3.01s, 1.10MB read
                  Socket errors: connect 0, read 0, write 0, timeout 3
                  Non-2xx or 3xx responses: 4
                Requests/sec:     19.60
                """;
        assertThat(Numbers.answered(wrk)).isEqualTo(59);
        assertThat(Numbers.non2xx(wrk)).isEqualTo(4);
        assertThat(Numbers.wrkReport(wrk).errors()).as("no latency distribution: one error, no answers").isEqualTo(1);
    }

    @Test
    void statsAreTheNearestRankMedianMinAndMax() {
        assertThat(Numbers.stats(new double[] { 3338, 2827, 2922 })).isEqualTo("2922 2827 3338");
        assertThat(Numbers.stats(new double[] { 4, 1, 3, 2 })).isEqualTo("2 1 4");
        assertThat(Numbers.stats(new double[0])).isEqualTo("NA NA NA");
        assertThat(Numbers.ratio("3", "2")).isEqualTo("1.50");
        assertThat(Numbers.ratio("3", "NA")).isEqualTo("NA");
    }

    @Test
    void maxDiffIsTheLargestDifferenceBetweenTwoAnswersOfOneShape() {
        String cpu = "{\"data\":[{\"embedding\":[0.125,-0.5,1.0E-3],\"index\":0}]}";
        String gpu = "{\"data\":[{\"embedding\":[0.1251,-0.502,1.5E-3],\"index\":0}]}";
        assertThat(Numbers.maxDiff(cpu, gpu)).isEqualTo("2.00e-03");
        assertThat(Numbers.maxDiff(cpu, cpu)).isEqualTo("0.00e+00");
        assertThat(Numbers.maxDiff(cpu, "{\"data\":[{\"embedding\":[0.125],\"index\":0}]}")).isEqualTo("NA");
        assertThat(Numbers.within("2.00e-03", "2e-2")).isEqualTo(" ok");
        assertThat(Numbers.within("2.00e-03", "1e-3")).isEqualTo(" over");
        assertThat(Numbers.within("NA", "1e-3")).isEqualTo(" over");
    }

    @Test
    void aMetricIsTheSumOfItsSamples() {
        List<String> exposition = List.of("# TYPE zeroserve_inflight_requests gauge",
                "zeroserve_inflight_requests{protocol=\"rest\"} 2.0", "zeroserve_inflight_requests{protocol=\"grpc\"} 1.0",
                "zeroserve_inflight_requests_max 9.0");
        assertThat(Numbers.metric(exposition, "zeroserve_inflight_requests")).isEqualTo("3");
        assertThat(Numbers.metric(exposition, "zeroserve_other")).isEqualTo("absent");
    }

    @Test
    void theTablePutsEachCellBesideServerOneAndTheCeiling(@TempDir Path dir) throws IOException {
        Path results = dir.resolve("results.csv");
        Files.writeString(results, """
                protocol,concurrency,server,jar,rps,p50_ms,p99_ms,errors,rss_mib,tokens,seconds
                json,1,s1:a,/a.jar,200.00,3.500,6.000,0,300,16,10
                json,1,s2:b,/b.jar,300.00,2.500,5.000,0,310,16,10
                embeddings,16,s1:a,/a.jar,500.00,30.000,40.000,0,320,16,10
                """);
        Path before = dir.resolve("ceiling-before.txt");
        Files.writeString(before, """
                ceiling pipeline=tensor tokens=16 batch=1 callers=1 threads=2 calls_per_s=500 rows_per_s=500 p50_ms=2.000 p99_ms=3
                ceiling pipeline=tensor tokens=16 batch=8 callers=2 threads=1 calls_per_s=125 rows_per_s=1000 p50_ms=9 p99_ms=12
                ceiling pipeline=embeddings tokens=12 batch=8 callers=2 threads=1 calls_per_s=250 rows_per_s=2000 p50_ms=5 p99_ms=8
                """);
        Path after = dir.resolve("ceiling-after.txt");
        Files.writeString(after, """
                ceiling pipeline=tensor tokens=16 batch=1 callers=1 threads=2 calls_per_s=500 rows_per_s=500 p50_ms=3.000 p99_ms=3
                ceiling pipeline=tensor tokens=16 batch=8 callers=2 threads=1 calls_per_s=125 rows_per_s=600 p50_ms=9 p99_ms=12
                """);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Numbers.table(results, List.of(before, after, dir.resolve("absent.txt")), new PrintStream(bytes, true,
                StandardCharsets.UTF_8));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("tensor 800.0, embeddings 2000.0").contains("(tensor 2.500 ms");
        assertThat(table.lines().filter(l -> l.startsWith("json")).toList()).containsExactly(
                "json           1  s1:a                    200.00     3.500     6.000       0      300   1.00    0.25    +1.00",
                "json           1  s2:b                    300.00     2.500     5.000       0      310   1.50    0.38    +0.00");
        assertThat(table).contains("embeddings    16  s1:a                    500.00    30.000    40.000       0      320   1.00    0.25        -");
    }
}
