package dev.zeroserve.tools.plan;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import dev.zeroserve.tools.bench.Charts;

/**
 * Capacity planning for the Knative Service, before deploying: {@code measure} what a pod sustains and how long it
 * takes to start, turn that and a p99 goal into the revision's settings ({@code knative}), and {@code simulate}
 * Knative's autoscaler over a day of traffic to see what scale to zero costs in latency and saves in pod-hours.
 * Run with {@code ./mvnw -Pplan test-compile exec:java -Dexec.args="<command> --option value ..."}; see
 * docs/capacity-planning.md.
 */
public final class Plan {
    private static final String USAGE = "usage: plan measure|knative|simulate [--option value ...] (see "
            + "docs/capacity-planning.md)";

    /** The generated Knative Service's {@code timeoutSeconds} (src/main/kubernetes/knative.yml). */
    private static final double MANIFEST_TIMEOUT_SECONDS = 120;

    private Plan() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("plan: " + e.getMessage());
            System.exit(2);
        }
    }

    static void run(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException(USAGE);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "measure" -> measure(new Options("measure", rest));
            case "knative" -> knative(new Options("knative", rest));
            case "simulate" -> simulate(new Options("simulate", rest));
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "'; " + USAGE);
        }
    }

    static void measure(Options options) throws IOException, InterruptedException {
        URI url = options.has("url") ? URI.create(options.string("url", null)) : null;
        Path jar = options.path("jar", "target/quarkus-app/quarkus-run.jar");
        if (url == null && !Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("measure: --jar " + jar + " does not exist; build it with "
                    + "./mvnw package -DskipTests, or give --url of a running service");
        }
        List<Map<String, String>> settings = settings(options.string("settings", "defaults"));
        List<String> swept = List.of();
        if (options.has("sweep")) {
            Map<String, List<String>> grid = grid(options.string("sweep", null));
            settings = sweep(settings, grid);
            swept = List.copyOf(grid.keySet());
        }
        if (url != null && (settings.size() > 1 || !settings.get(0).isEmpty())) {
            throw new IllegalArgumentException("measure: --settings and --sweep restart the service, which needs "
                    + "--jar, not --url");
        }
        Path out = options.path("out", "target/plan/capacity.json");
        Path bodyFile = options.has("body") ? options.path("body", null) : null;
        Measure.Job job = new Measure.Job(jar, url, options.integer("port", 18090, 1, 65535), settings,
                options.integers("concurrency", "1,2,4,8,16,32,64", 1, 10_000),
                options.integer("seconds", 10, 1, 3600), options.integer("warmup", 30, 0, 3600),
                options.integer("cold-starts", 3, 1, 100), options.string("path", Measure.DEFAULT_PATH),
                bodyFile == null ? Measure.DEFAULT_BODY : Files.readString(bodyFile),
                options.path("work", "target/plan/measure-work"));
        Path chart = options.path("chart", replaceExtension(out, ".svg").toString());
        options.rejectUnknown();
        Capacity capacity = new Measure(job).run();
        capacity.write(out);
        System.out.println("wrote " + out);
        if (!swept.isEmpty()) {
            System.out.print(SweepTable.of(capacity, swept));
        }
        capacityChart(capacity, chart);
    }

    /** {@code a=1,b=2;c=3}: settings separated by semicolons; keys without a prefix are {@code zeroserve.} keys. */
    static List<Map<String, String>> settings(String text) {
        List<Map<String, String>> settings = new ArrayList<>();
        for (String setting : text.split(";")) {
            Map<String, String> properties = new LinkedHashMap<>();
            if (!setting.isBlank() && !setting.trim().equals("defaults")) {
                for (String pair : setting.split(",")) {
                    int equals = pair.indexOf('=');
                    if (equals <= 0 || equals == pair.length() - 1) {
                        throw new IllegalArgumentException("measure: --settings takes key=value pairs (for example "
                                + "\"defaults;batching.policy=batch\"), got '" + pair.trim() + "'");
                    }
                    properties.put(key(pair.substring(0, equals)), pair.substring(equals + 1).trim());
                }
            }
            settings.add(properties);
        }
        return settings;
    }

    /** {@code a=1,8,32;b=1,2}: keys separated by semicolons, each with the values to try, separated by commas. */
    static Map<String, List<String>> grid(String text) {
        Map<String, List<String>> grid = new LinkedHashMap<>();
        for (String axis : text.split(";")) {
            int equals = axis.indexOf('=');
            List<String> values = equals <= 0 ? List.of() : Arrays.stream(axis.substring(equals + 1).split(","))
                    .map(String::trim).filter(value -> !value.isEmpty()).toList();
            if (values.isEmpty()) {
                throw new IllegalArgumentException("measure: --sweep takes key=value,value,... axes separated by ';' "
                        + "(for example \"batching.max-batch-size=1,8,32;batching.parallel-batches=1,2\"), got '"
                        + axis.trim() + "'");
            }
            if (grid.put(key(axis.substring(0, equals)), values) != null) {
                throw new IllegalArgumentException("measure: --sweep names " + axis.substring(0, equals).trim()
                        + " twice");
            }
        }
        return grid;
    }

    /** Every setting with every combination of the grid's values (the grid's keys override the setting's). */
    static List<Map<String, String>> sweep(List<Map<String, String>> settings, Map<String, List<String>> grid) {
        List<Map<String, String>> combined = settings;
        for (Map.Entry<String, List<String>> axis : grid.entrySet()) {
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> setting : combined) {
                for (String value : axis.getValue()) {
                    Map<String, String> properties = new LinkedHashMap<>(setting);
                    properties.put(axis.getKey(), value);
                    next.add(properties);
                }
            }
            combined = next;
        }
        return combined;
    }

    private static String key(String key) {
        String trimmed = key.trim();
        return trimmed.startsWith("zeroserve.") || trimmed.startsWith("quarkus.") ? trimmed : "zeroserve." + trimmed;
    }

    static void knative(Options options) throws IOException {
        Capacity capacity = Capacity.read(options.path("capacity", null));
        double slo = options.number("slo-p99-ms", 200, 0.001, 1e7);
        int utilization = options.integer("utilization", 70, 1, 100);
        Integer minScale = options.has("min-scale") ? options.integer("min-scale", 0, 0, 1000) : null;
        Path out = options.path("out", "target/plan/knative.properties");
        options.rejectUnknown();
        KnativePlanner.Plan plan = KnativePlanner.plan(capacity, slo, utilization, minScale);
        System.out.printf(Locale.ROOT, "Goal: p99 <= %.0f ms per request at the pod%n", slo);
        plan.reasoning().forEach(line -> System.out.println("  " + line));
        System.out.println("Knative revision (spec.template):");
        System.out.println("  metadata.annotations:");
        plan.knativeAnnotations().forEach((k, v) -> System.out.printf("    %s: \"%s\"%n", k, v));
        System.out.println("  spec.containerConcurrency: " + plan.containerConcurrency());
        System.out.println("HPA (Deployment path): zeroserve_inflight_requests averageValue " + plan.hpaAverageInflight());
        System.out.println("Batching keys (as environment of the container): " + (plan.setting().properties().isEmpty()
                ? "none, the service's defaults" : plan.setting().properties()));
        StringBuilder file = new StringBuilder(String.format(Locale.ROOT, "# Written by plan knative from the "
                + "capacity measured %s, goal p99 <= %.0f ms, setting '%s'.%n# Manifests: ./mvnw package -DskipTests "
                + "-Dquarkus.config.locations=%s%n", capacity.measuredAt(), slo, plan.setting().name(), out));
        plan.buildProperties().forEach((k, v) -> file.append(k).append('=').append(v).append('\n'));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, file);
        System.out.println("wrote " + out);
    }

    static void simulate(Options options) throws IOException {
        Capacity capacity = Capacity.read(options.path("capacity", null));
        double slo = options.number("slo-p99-ms", 200, 0.001, 1e7);
        KnativePlanner.Plan plan = KnativePlanner.plan(capacity, slo, options.integer("utilization", 70, 1, 100), null);
        Capacity.Setting setting = options.has("setting") ? capacity.setting(options.string("setting", null))
                : plan.setting();
        int containerConcurrency = options.integer("container-concurrency",
                setting == plan.setting() ? plan.containerConcurrency() : sloConcurrency(setting, slo), 0, 1000);
        int planned = setting == plan.setting() ? plan.target() : containerConcurrency;
        List<Integer> targets = options.integers("targets", IntStream.of(Math.max(1, planned / 4), Math.max(1, planned / 2), planned)
                .distinct().mapToObj(Integer::toString).reduce((a, b) -> a + "," + b).orElseThrow(), 1, 10_000);
        List<Integer> minScales = options.integers("min-scale", "0,1", 0, 1000);
        double measuredColdStart = setting.coldStart() == null ? Double.NaN : setting.coldStart().firstAnswerMs() / 1000;
        double coldStart = options.number("cold-start-s", measuredColdStart, 0, 3600);
        if (Double.isNaN(coldStart)) {
            throw new IllegalArgumentException("simulate: setting '" + setting.name() + "' has no measured cold start "
                    + "(measured with --url); give --cold-start-s");
        }
        ClusterSimulator.PodStart podStart = new ClusterSimulator.PodStart(coldStart,
                options.number("node-boot-s", 0, 0, 3600), options.number("node-retention-s", 600, 0, 86_400));
        Autoscaling base = Autoscaling.knativeDefaults(planned, containerConcurrency, 0,
                options.integer("max-scale", 10, 0, 10_000))
                .withBurstAndTimeout(options.number("target-burst-capacity", 211, -1, 1e6),
                        options.number("timeout-s", MANIFEST_TIMEOUT_SECONDS, 1, 3600))
                .withScaleToZero(options.number("grace-s", 30, 0, 3600), options.number("retention-s", 0, 0, 3600));
        Trace trace = trace(options);
        Map<String, Double> prices = prices(options.string("prices", "cpu-pod=0.10,l4-gpu-pod=0.71"));
        long seed = options.integer("seed", 1, 0, Integer.MAX_VALUE);
        Path chart = options.path("chart", "target/plan/simulation.svg");
        options.rejectUnknown();

        System.out.printf(Locale.ROOT, "Trace: %s; %d requests over %.1f h%n", trace.description(),
                trace.arrivals().length, trace.durationSeconds() / 3600);
        System.out.printf(Locale.ROOT, "Pods: setting '%s', containerConcurrency %d, start %.2f s (cold start) + "
                + "%.0f s (node boot when no node is free, nodes kept %.0f s)%n", setting.name(), containerConcurrency,
                podStart.coldStartSeconds(), podStart.nodeBootSeconds(), podStart.nodeRetentionSeconds());
        StringBuilder header = new StringBuilder("| min-scale | target | p50 ms | p99 ms | max ms | waited for a cold "
                + "start | timeouts | 503 | pod-hours | pods started | max pods |");
        prices.keySet().forEach(name -> header.append(" cost ").append(name).append(" |"));
        System.out.println(header);
        System.out.println(header.toString().replaceAll("[^|]", "-"));
        List<Charts.Series> replicas = new ArrayList<>();
        List<Charts.Series> latency = new ArrayList<>();
        for (int target : targets) {
            for (int minScale : minScales) {
                Autoscaling autoscaling = base.withTarget(target).withMinScale(minScale);
                ClusterSimulator.Result r = new ClusterSimulator(setting, autoscaling, podStart,
                        setting.serviceTimeSpread(), seed, false).run(trace.arrivals(), trace.durationSeconds());
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT,
                        "| %d | %d | %.1f | %.1f | %.0f | %d (%.3f %%) | %d | %d | %.1f | %d | %d |", minScale, target,
                        r.p50Ms(), r.p99Ms(), r.maxMs(), r.waitedForColdStart(),
                        100.0 * r.waitedForColdStart() / Math.max(1, r.requests()), r.timeouts(), r.refused(),
                        r.podSeconds() / 3600, r.podsStarted(), r.maxPods()));
                prices.values().forEach(price -> row.append(String.format(Locale.ROOT, " $%.2f |", r.cost(price))));
                System.out.println(row);
                if (target == planned) {
                    String name = "min-scale " + minScale + ", target " + target;
                    double[] minutes = IntStream.range(0, r.minuteReadyPods().length).mapToDouble(m -> m / 60.0).toArray();
                    replicas.add(new Charts.Series(name, minutes, r.minuteReadyPods(), null));
                    latency.add(new Charts.Series(name, minutes, r.minuteP99Ms(), null));
                }
            }
        }
        System.out.println("Prices per pod-hour (illustrative; see docs/capacity-planning.md): " + prices);
        Charts.write(chart, List.of(
                new Charts.Panel("Ready pods (most in each minute)", "hour", "pods", false, replicas),
                new Charts.Panel("p99 latency of the requests answered in each minute", "hour", "ms", false, latency)));
    }

    private static int sloConcurrency(Capacity.Setting setting, double slo) {
        Capacity.Cell cell = KnativePlanner.sloCell(setting, slo);
        if (cell == null) {
            throw new IllegalArgumentException("simulate: setting '" + setting.name() + "' keeps p99 <= " + slo
                    + " ms at no measured concurrency; give --container-concurrency");
        }
        return cell.concurrency();
    }

    private static Trace trace(Options options) throws IOException {
        if (options.has("trace")) {
            return Trace.read(options.path("trace", null));
        }
        String pattern = options.string("pattern", "bursty");
        boolean bursty = switch (pattern) {
            case "bursty" -> true;
            case "diurnal" -> false;
            default -> throw new IllegalArgumentException("simulate: --pattern is bursty or diurnal (or give --trace "
                    + "<csv>), got '" + pattern + "'");
        };
        return Trace.generated(pattern, options.number("hours", 24, 0.01, 24 * 31),
                options.number("night-rps", 0.005, 0, 1e5), options.number("peak-rps", 20, 0, 1e5),
                bursty ? options.number("bursts-per-hour", 2, 0, 3600) : 0, options.number("burst-rps", 150, 0, 1e5),
                options.number("burst-seconds", 30, 1, 3600), options.integer("trace-seed", 42, 0, Integer.MAX_VALUE));
    }

    private static Map<String, Double> prices(String text) {
        Map<String, Double> prices = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            String[] parts = pair.split("=");
            try {
                prices.put(parts[0].trim(), Double.parseDouble(parts[1].trim()));
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new IllegalArgumentException("simulate: --prices takes name=dollars-per-pod-hour pairs (for "
                        + "example cpu-pod=0.10,l4-gpu-pod=0.71), got '" + pair + "'");
            }
        }
        return prices;
    }

    private static void capacityChart(Capacity capacity, Path chart) throws IOException {
        List<Charts.Series> throughput = new ArrayList<>();
        List<Charts.Series> p99 = new ArrayList<>();
        for (Capacity.Setting s : capacity.settings()) {
            double[] concurrency = s.cells().stream().mapToDouble(Capacity.Cell::concurrency).toArray();
            String[] labels = s.cells().stream().map(c -> Integer.toString(c.concurrency())).toArray(String[]::new);
            throughput.add(new Charts.Series(s.name(), concurrency,
                    s.cells().stream().mapToDouble(Capacity.Cell::requestsPerSecond).toArray(), labels));
            p99.add(new Charts.Series(s.name(), concurrency, s.cells().stream().mapToDouble(Capacity.Cell::p99Ms).toArray(),
                    labels));
        }
        Charts.write(chart, List.of(new Charts.Panel("Throughput of one pod", "concurrency", "requests per second",
                true, throughput), new Charts.Panel("p99 latency", "concurrency", "ms", true, p99)));
    }

    private static Path replaceExtension(Path file, String extension) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return file.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + extension);
    }
}
