package dev.zeroserve.tools.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One closed-loop cell as a C load generator reported it: requests answered, throughput, p50 and p99, errors. Read
 * from wrk's report (run with {@code --latency}) or from h2load's report and its per-request log; used by
 * {@code plan measure} and, through {@link Numbers}, by the scripts in {@code src/tools/scripts}.
 */
public record LoadReport(long requests, double requestsPerSecond, double p50Ms, double p99Ms, long errors) {
    private static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in ");
    private static final Pattern WRK_RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern WRK_PERCENTILE = Pattern.compile(
            "^\\s+(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
    private static final Pattern WRK_NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern WRK_SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern H2LOAD_FINISHED = Pattern.compile("^finished in [^,]+, ([0-9.]+) req/s",
            Pattern.MULTILINE);
    private static final Pattern H2LOAD_REQUESTS = Pattern.compile(
            "^requests: \\d+ total, \\d+ started, (\\d+) done, (\\d+) succeeded", Pattern.MULTILINE);
    private static final Pattern H2LOAD_DATA = Pattern.compile("^traffic: .*\\((\\d+)\\) data", Pattern.MULTILINE);

    /** wrk's report with {@code --latency}: errors are non-2xx answers and socket errors. */
    public static LoadReport wrk(String output) {
        Matcher rps = WRK_RPS.matcher(output);
        if (!rps.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's output:\n" + output);
        }
        Map<String, Double> percentiles = new LinkedHashMap<>();
        Matcher p = WRK_PERCENTILE.matcher(output);
        while (p.find()) {
            double value = Double.parseDouble(p.group(2));
            double ms = switch (p.group(3)) {
                case "us" -> value / 1000;
                case "ms" -> value;
                case "s" -> value * 1000;
                default -> value * 60_000;
            };
            percentiles.put(p.group(1), ms);
        }
        if (!percentiles.containsKey("50") || !percentiles.containsKey("99")) {
            throw new IllegalStateException("no latency distribution in wrk's output (run with --latency):\n" + output);
        }
        long errors = 0;
        Matcher non2xx = WRK_NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = WRK_SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        Matcher requests = WRK_REQUESTS.matcher(output);
        return new LoadReport(requests.find() ? Long.parseLong(requests.group(1)) : 0,
                Double.parseDouble(rps.group(1)), percentiles.get("50"), percentiles.get("99"), errors);
    }

    /**
     * h2load's report of a gRPC cell and its {@code --log-file} (tab-separated; the third column each request's time
     * in microseconds). h2load counts every HTTP 200 as a success, gRPC errors included, so the successes are the
     * complete answers in its DATA bytes: {@code data / answerBytes}, the size of one successful length-prefixed
     * answer.
     */
    public static LoadReport h2load(String output, List<String> log, long answerBytes) {
        Matcher rps = H2LOAD_FINISHED.matcher(output);
        Matcher requests = H2LOAD_REQUESTS.matcher(output);
        Matcher data = H2LOAD_DATA.matcher(output);
        long done = requests.find() ? Long.parseLong(requests.group(1)) : 0;
        long succeeded = done == 0 ? 0 : Long.parseLong(requests.group(2));
        long ok = data.find() && answerBytes > 0 ? Long.parseLong(data.group(1)) / answerBytes : 0;
        long bad = Math.max(done - ok, done - succeeded);
        if (done == 0) {
            bad = 1; // nothing answered at all: h2load could not connect, or the server hung
        }
        double[] micros = log.stream().map(line -> line.split("\t")).filter(f -> f.length >= 3)
                .mapToDouble(f -> Double.parseDouble(f[2])).toArray();
        return new LoadReport(Math.min(ok, succeeded), rps.find() ? Double.parseDouble(rps.group(1)) : 0,
                Percentiles.of(micros, 50) / 1000, Percentiles.of(micros, 99) / 1000, Math.max(bad, 0));
    }
}
