package dev.zeroserve.tools.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.zeroserve.tools.manifests.FinishManifests;

/**
 * From a capacity file and a p99 latency goal to the revision's settings. The rule: a pod should never hold more
 * requests at once than the concurrency at which it was measured to give (nearly) its most throughput within the
 * goal ({@link #sloCell}), so that is {@code containerConcurrency}: excess waits in the activator and
 * queue-proxy, where the autoscaler sees it, instead of slowing every request in the pod. The soft {@code target}
 * is the same number, of which the autoscaler aims at the utilization (70 %, Knative's default), leaving the rest
 * as headroom for the load that grows while new pods start. Among the measured settings the one with the highest
 * throughput at that concurrency wins (fewest pods for the same load); ties go to the lower concurrency.
 */
final class KnativePlanner {
    static final double KNEE_FRACTION = 0.9;
    /** Read by {@code FinishManifests} for the HorizontalPodAutoscaler, which Quarkus has no key for. */
    static final String HPA_TARGET_KEY = FinishManifests.PLANNED_HPA_TARGET;

    record Plan(Capacity.Setting setting, Capacity.Cell sloCell, double sloP99Ms, int containerConcurrency, int target,
            int utilizationPercent, int hpaAverageInflight, Integer minScale, List<String> reasoning) {

        /** The Knative revision's annotations and spec field this plan sets. */
        Map<String, String> knativeAnnotations() {
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("autoscaling.knative.dev/metric", "concurrency");
            annotations.put("autoscaling.knative.dev/target", Integer.toString(target));
            annotations.put("autoscaling.knative.dev/target-utilization-percentage", Integer.toString(utilizationPercent));
            if (minScale != null) {
                annotations.put("autoscaling.knative.dev/min-scale", Integer.toString(minScale));
            }
            return annotations;
        }

        /** Build-time keys for {@code ./mvnw package -Dquarkus.config.locations=<file>}. */
        Map<String, String> buildProperties() {
            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("quarkus.knative.revision-auto-scaling.container-concurrency", Integer.toString(containerConcurrency));
            keys.put("quarkus.knative.revision-auto-scaling.target", Integer.toString(target));
            keys.put("quarkus.knative.revision-auto-scaling.target-utilization-percentage",
                    Integer.toString(utilizationPercent));
            if (minScale != null) {
                keys.put("quarkus.knative.min-scale", Integer.toString(minScale));
            }
            setting.properties().forEach((key, value) -> {
                String envName = key.replace('.', '-');
                keys.put("quarkus.knative.env.vars." + envName, value);
                keys.put("quarkus.kubernetes.env.vars." + envName, value);
            });
            keys.put(HPA_TARGET_KEY, Integer.toString(hpaAverageInflight));
            return keys;
        }
    }

    private KnativePlanner() {
    }

    static Plan plan(Capacity capacity, double sloP99Ms, int utilizationPercent, Integer minScale) {
        if (!(sloP99Ms > 0)) {
            throw new IllegalArgumentException("the p99 goal must be a positive number of milliseconds, got " + sloP99Ms);
        }
        if (utilizationPercent < 1 || utilizationPercent > 100) {
            throw new IllegalArgumentException("target utilization must be 1-100 %, got " + utilizationPercent);
        }
        List<String> reasoning = new ArrayList<>();
        Capacity.Setting best = null;
        Capacity.Cell bestCell = null;
        for (Capacity.Setting setting : capacity.settings()) {
            Capacity.Cell cell = sloCell(setting, sloP99Ms);
            if (cell == null) {
                reasoning.add(String.format(Locale.ROOT, "%s: no measured concurrency keeps p99 <= %.0f ms "
                        + "(lowest p99 %.1f ms at concurrency %d)", setting.name(), sloP99Ms,
                        setting.cells().get(0).p99Ms(), setting.cells().get(0).concurrency()));
                continue;
            }
            reasoning.add(String.format(Locale.ROOT, "%s: within p99 <= %.0f ms, %.0f %% of its best throughput first "
                    + "at concurrency %d: %.0f req/s (p50 %.1f ms, p99 %.1f ms)", setting.name(), sloP99Ms,
                    KNEE_FRACTION * 100, cell.concurrency(),
                    cell.requestsPerSecond(), cell.p50Ms(), cell.p99Ms()));
            if (bestCell == null || cell.requestsPerSecond() > bestCell.requestsPerSecond()
                    || cell.requestsPerSecond() == bestCell.requestsPerSecond() && cell.concurrency() < bestCell.concurrency()) {
                best = setting;
                bestCell = cell;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "no measured setting keeps p99 <= %.0f ms "
                    + "at any concurrency: relax the goal, or measure lower concurrencies or other settings:%n  %s",
                    sloP99Ms, String.join("\n  ", reasoning)));
        }
        int concurrency = bestCell.concurrency();
        int hpa = Math.max(1, (int) Math.round(concurrency * utilizationPercent / 100.0));
        double targetValue = concurrency * utilizationPercent / 100.0;
        reasoning.add(String.format(Locale.ROOT, "chosen: %s, the most requests per second per pod within the goal",
                best.name()));
        reasoning.add(String.format(Locale.ROOT, "containerConcurrency %d: a pod never holds more than it serves "
                + "well within the goal; the rest waits in the activator and queue-proxy (10 x %d per "
                + "pod), where the autoscaler counts it", concurrency, concurrency));
        reasoning.add(String.format(Locale.ROOT, "target %d at %d %%: the autoscaler aims at %.1f requests in flight "
                + "per pod (about %.0f req/s per pod on the measured curve), the rest is headroom while pods start",
                concurrency, utilizationPercent, targetValue, best.throughputAt(targetValue)));
        reasoning.add(String.format(Locale.ROOT, "HPA (Deployment path): zeroserve_inflight_requests averaging %d "
                + "per pod, the same %d %% of %d", hpa, utilizationPercent, concurrency));
        if (best.coldStart() != null) {
            reasoning.add(String.format(Locale.ROOT, "cold start measured: ready after %.0f ms, first answer after "
                    + "%.0f ms (median of %d); see plan simulate for what scale to zero costs", best.coldStart().readyMs(),
                    best.coldStart().firstAnswerMs(), best.coldStart().runs()));
        }
        return new Plan(best, bestCell, sloP99Ms, concurrency, concurrency, utilizationPercent, hpa, minScale,
                List.copyOf(reasoning));
    }

    /**
     * The knee of a setting's curve within the goal: of the cells without errors whose p99 keeps the goal, the
     * lowest concurrency that reaches {@link #KNEE_FRACTION} of the best throughput among them (past it, more
     * requests per pod buy little throughput and much latency); null when no cell keeps the goal.
     */
    static Capacity.Cell sloCell(Capacity.Setting setting, double sloP99Ms) {
        List<Capacity.Cell> withinGoal = setting.cells().stream()
                .filter(cell -> cell.p99Ms() <= sloP99Ms && cell.errors() == 0).toList();
        double best = withinGoal.stream().mapToDouble(Capacity.Cell::requestsPerSecond).max().orElse(Double.NaN);
        return withinGoal.stream().filter(cell -> cell.requestsPerSecond() >= KNEE_FRACTION * best).findFirst()
                .orElse(null);
    }
}
