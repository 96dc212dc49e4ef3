package dev.zeroserve.tools.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The tuning table of a swept {@code plan measure} (batch size × instances, or any keys): one row per combination,
 * fastest first, with the best error-free throughput and its latency, and the lone request's p50, so that the
 * trade-off between batching and parallel executions reads at a glance.
 */
final class SweepTable {
    private SweepTable() {
    }

    static String of(Capacity capacity, List<String> sweptKeys) {
        List<String> header = new ArrayList<>(sweptKeys.stream().map(key -> key.replaceFirst("^zeroserve\\.", ""))
                .toList());
        header.addAll(List.of("best req/s", "at concurrency", "p50 ms", "p99 ms", "c=1 p50 ms", "first answer ms"));
        List<List<String>> rows = new ArrayList<>();
        capacity.settings().stream().sorted(Comparator.comparingDouble(SweepTable::bestThroughput).reversed())
                .forEach(setting -> {
                    List<String> row = new ArrayList<>(sweptKeys.stream()
                            .map(key -> setting.properties().getOrDefault(key, "")).toList());
                    Optional<Capacity.Cell> best = best(setting);
                    row.add(best.map(cell -> number(cell.requestsPerSecond(), 1)).orElse("errors"));
                    row.add(best.map(cell -> Integer.toString(cell.concurrency())).orElse("-"));
                    row.add(best.map(cell -> number(cell.p50Ms(), 2)).orElse("-"));
                    row.add(best.map(cell -> number(cell.p99Ms(), 2)).orElse("-"));
                    row.add(setting.cells().stream().filter(cell -> cell.concurrency() == 1).findFirst()
                            .map(cell -> number(cell.p50Ms(), 2)).orElse("-"));
                    row.add(setting.coldStart() == null ? "-" : number(setting.coldStart().firstAnswerMs(), 0));
                    rows.add(row);
                });
        return render(header, rows);
    }

    private static Optional<Capacity.Cell> best(Capacity.Setting setting) {
        return setting.cells().stream().filter(cell -> cell.errors() == 0)
                .max(Comparator.comparingDouble(Capacity.Cell::requestsPerSecond));
    }

    private static double bestThroughput(Capacity.Setting setting) {
        return best(setting).map(Capacity.Cell::requestsPerSecond).orElse(0.0);
    }

    private static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String render(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (List<String> row : concat(header, rows)) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (List<String> row : concat(header, rows)) {
            for (int i = 0; i < row.size(); i++) {
                table.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", row.get(i)));
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static List<List<String>> concat(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
