package dev.zeroserve.tools.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The profiling scripts' summaries ({@code src/tools/scripts}): where a cold start's CPU went, per thread group, and
 * Quarkus's slowest build steps ({@code startup-profile.sh}); a JFR recording's allocation per request and its
 * samples per thread group ({@code batch-worker-profile.sh}); Linux perf's shares by thread and library
 * ({@code cpu-profile.sh}).
 *
 * <pre>
 * threads FILE HZ          lines "tid ticks name" sampled from /proc: CPU ms per thread group (its last sample)
 * steps LOG                Quarkus's "Build step X completed in: Nms" lines, the slowest 12
 * jfr FILE REQUESTS LABEL  allocation per request; samples of threads at work per group; batch workers in ORT's run
 * perf                     perf report --sort comm,dso -t ';' on stdin: shares by thread, by library, batch workers
 * </pre>
 */
public final class Profiles {
    /** Numbered threads of one kind (vert.x-eventloop-thread-0, -1; "C2 CompilerThread #1") under one name. */
    private static final Pattern NUMBERED = Pattern.compile("[-#]?\\d+$");
    private static final Pattern BUILD_STEP = Pattern.compile("Build step (\\S+) completed in: (\\d+)ms");
    private static final Pattern PERF_LINE = Pattern.compile("^ *([0-9.]+)% *;(.*)$");
    /** Frames of a sample's stack that are read, as {@code jfr print} shows them. */
    private static final int FRAMES = 5;
    private static final String BATCH_WORKERS = "zeroserve-batch";

    private Profiles() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        switch (args.length == 0 ? "" : args[0]) {
            case "threads" -> threads(Files.readAllLines(Path.of(args[1])), Integer.parseInt(args[2]), out);
            case "steps" -> steps(Files.readAllLines(Path.of(args[1])), out);
            case "jfr" -> jfr(Path.of(args[1]), Long.parseLong(args[2]), args[3], out);
            case "perf" -> perf(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines()
                    .toList(), out);
            default -> {
                System.err.println("usage: Profiles threads|steps|jfr|perf ... (see its javadoc)");
                System.exit(2);
            }
        }
    }

    static String group(String threadName) {
        return NUMBERED.matcher(threadName.strip()).replaceFirst("").strip();
    }

    static void threads(List<String> samples, int hz, PrintStream out) {
        Map<String, Long> lastTicks = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        for (String line : samples) {
            String[] fields = line.strip().split(" ", 3);
            if (fields.length == 3) {
                lastTicks.put(fields[0], Long.parseLong(fields[1]));
                names.put(fields[0], fields[2]);
            }
        }
        Map<String, Long> byGroup = new HashMap<>();
        lastTicks.forEach((tid, ticks) -> byGroup.merge(group(names.get(tid)), ticks, Long::sum));
        printSorted(byGroup.entrySet().stream().filter(e -> e.getValue() > 0)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue() * 1000.0 / hz)),
                "  %6.0f  %s%n", 0, out);
    }

    static void steps(List<String> log, PrintStream out) {
        log.stream().map(BUILD_STEP::matcher).filter(Matcher::find)
                .sorted(Comparator.comparingLong((Matcher m) -> Long.parseLong(m.group(2))).reversed()).limit(12)
                .forEach(m -> out.printf(Locale.ROOT, "  %6d  %s%n", Long.parseLong(m.group(2)), m.group(1)));
    }

    static void jfr(Path recording, long requests, String label, PrintStream out) throws IOException {
        double allocated = 0;
        Map<String, Double> samples = new HashMap<>();
        long total = 0;
        long batch = 0;
        long batchInRun = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            if (type.equals("jdk.ObjectAllocationSample")) {
                allocated += event.getLong("weight"); // samples weighted to estimate every byte allocated
                continue;
            }
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedThread thread = event.getThread("sampledThread");
            RecordedStackTrace stack = event.getStackTrace();
            if (thread == null || stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames().subList(0, Math.min(FRAMES, stack.getFrames().size()));
            String top = method(frames.get(0));
            if (top.contains("EPoll.wait") || top.contains("epollWait") || top.contains("Net.accept")) {
                continue; // a thread waiting in epoll or accept is in native code too, but idle
            }
            String group = group(thread.getJavaName() == null ? thread.getOSName() : thread.getJavaName());
            samples.merge(group, 1.0, Double::sum);
            total++;
            if (group.equals(BATCH_WORKERS)) {
                batch++;
                if (frames.stream().anyMatch(f -> method(f).equals("ai.onnxruntime.OrtSession.run"))) {
                    batchInRun++;
                }
            }
        }
        out.printf(Locale.ROOT, "%s: %d requests, about %.0f KiB allocated per request%n", label, requests,
                requests == 0 ? 0.0 : allocated / requests / 1024);
        out.printf(Locale.ROOT, "%s: %d samples of threads at work%n", label, total);
        long all = Math.max(total, 1);
        samples.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.printf(Locale.ROOT, "  %-40s %6.0f  %5.1f %%%n", e.getKey(), e.getValue(),
                        100 * e.getValue() / all));
        if (batch > 0) {
            out.printf(Locale.ROOT, "batch workers inside OrtSession.run: %d of %d samples = %.1f %%%n", batchInRun,
                    batch, 100.0 * batchInRun / batch);
        }
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod() == null ? "" : frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** perf's shares ("12.34%;comm;dso" lines) by thread group, by library, and the batch workers' by library. */
    static void perf(List<String> report, PrintStream out) {
        Map<String, Double> byThread = new HashMap<>();
        Map<String, Double> byLibrary = new HashMap<>();
        Map<String, Double> batchByLibrary = new HashMap<>();
        for (String line : report) {
            Matcher m = PERF_LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String[] fields = m.group(2).split(";", -1);
            if (fields.length < 2) {
                continue;
            }
            double share = Double.parseDouble(m.group(1));
            String thread = group(fields[0]);
            String library = fields[1].strip().startsWith("[JIT]") ? "[JIT] (Java code)" : fields[1].strip();
            byThread.merge(thread, share, Double::sum);
            byLibrary.merge(library, share, Double::sum);
            if (thread.equals(BATCH_WORKERS)) {
                batchByLibrary.merge(library, share, Double::sum);
            }
        }
        out.println("  by thread:");
        printSorted(byThread, "    %6.1f %%  %s%n", 0.5, out);
        out.println("  by library:");
        printSorted(byLibrary, "    %6.1f %%  %s%n", 0.5, out);
        out.println("  the batch workers (" + BATCH_WORKERS + ") by library:");
        printSorted(batchByLibrary, "    %6.1f %%  %s%n", 0.5, out);
    }

    private static void printSorted(Map<String, Double> values, String format, double least, PrintStream out) {
        Map<String, Double> sorted = new LinkedHashMap<>();
        values.entrySet().stream().filter(e -> e.getValue() >= least)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((name, value) -> out.printf(Locale.ROOT, format, value, name));
    }
}
