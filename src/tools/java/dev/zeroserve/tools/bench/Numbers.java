package dev.zeroserve.tools.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The numbers of the measurement scripts ({@code src/tools/scripts}), computed here rather than in each script:
 * reading wrk's and h2load's reports, medians, ratios, the load benchmark's table against the in-process ceiling.
 * Every subcommand prints one line (the table: a table) on stdout; {@code NA} where a number is missing.
 *
 * <pre>
 * wrk FILE                       rps p50_ms p99_ms errors     (wrk's report, run with --latency)
 * h2load FILE LOG ANSWER_BYTES   rps p50_ms p99_ms errors     (h2load's report and --log-file, gRPC)
 * answered FILE                  requests answered            (wrk's or h2load's report)
 * non2xx FILE                    wrk's answers other than 2xx and 3xx (not its socket errors)
 * stats                          median min max               (numbers on stdin, one a line; nearest rank)
 * ratio A B                      A / B, two decimals
 * maxdiff FILE_A FILE_B [TOL]    largest absolute difference between the numbers of two answers of one shape,
 *                                and "ok" or "over" against TOL where it is given
 * busy                           % of all cores busy over 2 s (/proc/stat)
 * rss PID                        resident memory in MiB
 * metric NAME                    the sum of a Prometheus metric's samples on stdin, or "absent"
 * table RESULTS_CSV [CEILING...] load-bench.sh's table: each cell beside server 1's and the in-process ceiling
 * </pre>
 */
public final class Numbers {
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in ");
    private static final Pattern SUCCEEDED = Pattern.compile("(\\d+) succeeded");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
    private Numbers() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        PrintStream out = System.out;
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "wrk" -> out.println(cell(wrkReport(read(arg(rest, 0)))));
            case "h2load" -> out.println(cell(LoadReport.h2load(read(arg(rest, 0)), lines(arg(rest, 1)),
                    Long.parseLong(arg(rest, 2)))));
            case "answered" -> out.println(answered(read(arg(rest, 0))));
            case "non2xx" -> out.println(non2xx(read(arg(rest, 0))));
            case "stats" -> out.println(stats(numbers(stdin())));
            case "ratio" -> out.println(ratio(arg(rest, 0), arg(rest, 1)));
            case "maxdiff" -> {
                String difference = maxDiff(read(arg(rest, 0)), read(arg(rest, 1)));
                out.println(difference + (rest.length > 2 ? within(difference, rest[2]) : ""));
            }
            case "busy" -> out.println(busy());
            case "rss" -> out.println(rssMib(Long.parseLong(arg(rest, 0))));
            case "metric" -> out.println(metric(stdin(), arg(rest, 0)));
            case "table" -> table(Path.of(arg(rest, 0)), Arrays.stream(rest).skip(1).map(Path::of).toList(), out);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: Numbers wrk|h2load|answered|non2xx|stats|ratio|maxdiff|busy|rss|metric|table ... (see its javadoc)");
        System.exit(2);
    }

    private static String arg(String[] args, int index) {
        if (index >= args.length) {
            usage();
        }
        return args[index];
    }

    /** wrk's report, or the no-answer cell (one error) when it has none (wrk could not connect, say). */
    static LoadReport wrkReport(String output) {
        try {
            return LoadReport.wrk(output);
        } catch (IllegalStateException e) {
            System.err.println("wrk failed: " + output.lines().skip(Math.max(0, output.lines().count() - 5))
                    .collect(Collectors.joining(" | ")));
            return new LoadReport(0, 0, Double.NaN, Double.NaN, 1);
        }
    }

    static String cell(LoadReport report) {
        return String.format(Locale.ROOT, "%.2f %s %s %d", report.requestsPerSecond(), fixed(report.p50Ms(), 3),
                fixed(report.p99Ms(), 3), report.errors());
    }

    /** Requests answered: wrk's "N requests in", h2load's succeeded. */
    static long answered(String output) {
        Matcher requests = WRK_REQUESTS.matcher(output);
        if (requests.find()) {
            return Long.parseLong(requests.group(1));
        }
        Matcher succeeded = SUCCEEDED.matcher(output);
        return succeeded.find() ? Long.parseLong(succeeded.group(1)) : 0;
    }

    static long non2xx(String wrkOutput) {
        Matcher non2xx = NON_2XX.matcher(wrkOutput);
        return non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
    }

    static String stats(double[] values) {
        if (values.length == 0) {
            return "NA NA NA";
        }
        double min = Arrays.stream(values).min().getAsDouble();
        double max = Arrays.stream(values).max().getAsDouble();
        return plain(Percentiles.of(values, 50)) + " " + plain(min) + " " + plain(max);
    }

    static String ratio(String a, String b) {
        double x = parse(a);
        double y = parse(b);
        return Double.isNaN(x) || Double.isNaN(y) || y <= 0 ? "NA" : String.format(Locale.ROOT, "%.2f", x / y);
    }

    /**
     * The largest absolute difference between the numbers of two answers, in order (two providers' embeddings of the
     * same texts); NA where they do not hold as many numbers, so differ in shape.
     */
    static String maxDiff(String a, String b) {
        Matcher x = NUMBER.matcher(a);
        Matcher y = NUMBER.matcher(b);
        double max = 0;
        while (x.find()) {
            if (!y.find()) {
                return "NA";
            }
            max = Math.max(max, Math.abs(Double.parseDouble(x.group()) - Double.parseDouble(y.group())));
        }
        return y.find() ? "NA" : String.format(Locale.ROOT, "%.2e", max);
    }

    /** " ok" where the difference is at most the tolerance, " over" otherwise (NA included). */
    static String within(String difference, String tolerance) {
        double x = parse(difference);
        return !Double.isNaN(x) && x <= Double.parseDouble(tolerance) ? " ok" : " over";
    }

    /** The share of all cores busy over two seconds, from the first line of /proc/stat. */
    static String busy() throws IOException, InterruptedException {
        long[] a = cpuTicks();
        Thread.sleep(2000);
        long[] b = cpuTicks();
        long total = 0;
        long idle = 0;
        for (int i = 0; i < a.length; i++) {
            total += b[i] - a[i];
            if (i == 3 || i == 4) { // idle, iowait
                idle += b[i] - a[i];
            }
        }
        return String.format(Locale.ROOT, "%.0f%%", total == 0 ? 0.0 : 100.0 * (total - idle) / total);
    }

    private static long[] cpuTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        return Arrays.stream(fields).skip(1).mapToLong(Long::parseLong).toArray();
    }

    static long rssMib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0);
            }
        }
        return 0;
    }

    /** The sum of a metric's samples (every label set) in Prometheus's text format. */
    static String metric(List<String> exposition, String name) {
        double sum = 0;
        boolean seen = false;
        for (String line : exposition) {
            if (line.startsWith(name) && (line.length() == name.length() || " {".indexOf(line.charAt(name.length())) >= 0)) {
                String[] fields = line.trim().split("\\s+");
                sum += Double.parseDouble(fields[fields.length - 1]);
                seen = true;
            }
        }
        return seen ? plain(sum) : "absent";
    }

    /** One cell of results.csv. */
    record Cell(String protocol, int concurrency, String server, double rps, double p50, double p99, String errors,
            String rss) {
    }

    /**
     * load-bench.sh's table: the ceilings measured before and after the cells, then every cell with its ratio to
     * server 1's cell ({@code vs_s1}), its requests per second over the best in-process rows per second of its
     * pipeline ({@code x_ceil}; the v2 protocols against the tensor pipeline, embeddings against the text one, both
     * the mean over the ceiling files), and at concurrency 1 its p50 minus the pipeline's one-caller single-request
     * p50 ({@code p50_over}).
     */
    static void table(Path results, List<Path> ceilingFiles, PrintStream out) throws IOException {
        List<List<Map<String, String>>> ceilings = new ArrayList<>();
        for (Path file : ceilingFiles) {
            if (Files.isRegularFile(file)) {
                ceilings.add(ceilingLines(Files.readAllLines(file)));
            }
        }
        if (!ceilings.isEmpty()) {
            out.println("In-process ceilings (no server; tensor: ONNX Runtime on the v2 cells' tokens; embeddings:"
                    + " tokenizer, ONNX Runtime and pooling on the embeddings cells' sentence; rows/s = calls/s x batch):");
            for (int i = 0; i < ceilings.size(); i++) {
                out.println(ceilingFiles.get(i).getFileName() + ":");
                for (Map<String, String> v : ceilings.get(i)) {
                    out.printf(Locale.ROOT, "  %-10s %3s tokens  batch %-3s callers %s x %s threads  %9.1f calls/s"
                            + "  %9.1f rows/s  p50 %7.3f ms  p99 %7.3f ms%n", v.get("pipeline"), v.get("tokens"),
                            v.get("batch"), v.get("callers"), v.get("threads"), parse(v.get("calls_per_s")),
                            parse(v.get("rows_per_s")), parse(v.get("p50_ms")), parse(v.get("p99_ms")));
                }
            }
        }
        Map<String, Double> best = new HashMap<>();
        Map<String, Double> single = new HashMap<>();
        for (String pipeline : List.of("tensor", "embeddings")) {
            best.put(pipeline, mean(ceilings, pipeline, lines -> lines.stream()
                    .mapToDouble(v -> parse(v.get("rows_per_s"))).filter(x -> !Double.isNaN(x)).max()));
            single.put(pipeline, mean(ceilings, pipeline, lines -> lines.stream()
                    .filter(v -> "1".equals(v.get("batch")) && "1".equals(v.get("callers")))
                    .mapToDouble(v -> parse(v.get("p50_ms"))).findFirst()));
        }
        out.printf(Locale.ROOT, "x_ceil: req/s over the best in-process rows/s (mean over the ceilings: tensor %s,"
                + " embeddings %s); p50_over: c=1 p50 minus the in-process single-request p50 (tensor %s ms,"
                + " embeddings %s ms).%n", fixed(best.get("tensor"), 1), fixed(best.get("embeddings"), 1),
                fixed(single.get("tensor"), 3), fixed(single.get("embeddings"), 3));
        List<Cell> cells = cells(Files.readAllLines(results));
        Map<String, Double> first = new LinkedHashMap<>();
        String format = "%-10s %5s  %-20s %9s %9s %9s %7s %8s %6s %7s %8s%n";
        out.printf(format, "protocol", "conc", "server", "rps", "p50_ms", "p99_ms", "errors", "rss_MiB", "vs_s1",
                "x_ceil", "p50_over");
        for (Cell cell : cells) {
            double s1 = first.computeIfAbsent(cell.protocol() + " " + cell.concurrency(), k -> cell.rps());
            String pipeline = "embeddings".equals(cell.protocol()) ? "embeddings" : "tensor";
            double ceiling = best.get(pipeline);
            double p50Over = cell.concurrency() == 1 ? cell.p50() - single.get(pipeline) : Double.NaN;
            out.printf(Locale.ROOT, format, cell.protocol(), cell.concurrency(), cell.server(),
                    String.format(Locale.ROOT, "%.2f", cell.rps()), fixed(cell.p50(), 3), fixed(cell.p99(), 3),
                    cell.errors(), cell.rss(), s1 > 0 ? String.format(Locale.ROOT, "%.2f", cell.rps() / s1) : "NA",
                    ceiling > 0 ? String.format(Locale.ROOT, "%.2f", cell.rps() / ceiling) : "NA",
                    cell.concurrency() != 1 ? "-" : Double.isNaN(p50Over) ? "NA"
                            : String.format(Locale.ROOT, "%+.2f", p50Over));
        }
    }

    private interface Reference {
        OptionalDouble of(List<Map<String, String>> lines);
    }

    /** The mean over the ceiling files of one number of a pipeline's lines; NaN where none has it. */
    private static double mean(List<List<Map<String, String>>> ceilings, String pipeline, Reference reference) {
        return ceilings.stream()
                .map(lines -> reference.of(lines.stream().filter(v -> pipeline.equals(v.get("pipeline"))).toList()))
                .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).average().orElse(Double.NaN);
    }

    /** InProcessCeiling's lines, {@code ceiling key=value ...}, as maps. */
    static List<Map<String, String>> ceilingLines(List<String> lines) {
        List<Map<String, String>> parsed = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("ceiling ")) {
                Map<String, String> values = new LinkedHashMap<>();
                for (String field : line.substring("ceiling ".length()).trim().split("\\s+")) {
                    int eq = field.indexOf('=');
                    if (eq > 0) {
                        values.put(field.substring(0, eq), field.substring(eq + 1));
                    }
                }
                parsed.add(values);
            }
        }
        return parsed;
    }

    /** results.csv: protocol,concurrency,server,jar,rps,p50_ms,p99_ms,errors,rss_mib,... after its header. */
    static List<Cell> cells(List<String> csv) {
        return csv.stream().skip(1).filter(line -> !line.isBlank()).map(line -> line.split(",", -1))
                .map(f -> new Cell(f[0], Integer.parseInt(f[1]), f[2], parse(f[4]), parse(f[5]), parse(f[6]), f[7],
                        f[8]))
                .toList();
    }

    private static double parse(String value) {
        try {
            return value == null ? Double.NaN : Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String fixed(Double value, int decimals) {
        return value == null || Double.isNaN(value) ? "NA" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** A whole number without a fraction, otherwise as it is. */
    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : Double.toString(value);
    }

    private static double[] numbers(List<String> lines) {
        return lines.stream().map(String::trim).filter(s -> !s.isEmpty()).mapToDouble(Numbers::parse)
                .filter(x -> !Double.isNaN(x)).toArray();
    }

    private static String read(String file) throws IOException {
        Path path = Path.of(file);
        return Files.exists(path) ? Files.readString(path) : "";
    }

    private static List<String> lines(String file) throws IOException {
        Path path = Path.of(file);
        return Files.exists(path) ? Files.readAllLines(path) : List.of();
    }

    private static List<String> stdin() throws IOException {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().toList();
    }
}
