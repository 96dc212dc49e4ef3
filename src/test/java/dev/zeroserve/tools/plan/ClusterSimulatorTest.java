package dev.zeroserve.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The simulator's decisions in cases worked out by hand. The pod: 100 requests per second per request in flight up
 * to 10 (every request takes exactly 10 ms alone or beside others), containerConcurrency 10, target 10 at 70 %
 * (the autoscaler aims at 7 concurrent requests per pod), Knative's other defaults.
 */
class ClusterSimulatorTest {
    private static final Capacity.Setting LINEAR_POD = new Capacity.Setting("linear", Map.of(), null, List.of(
            new Capacity.Cell(1, 100, 10, 10, 0), new Capacity.Cell(10, 1000, 10, 10, 0)));

    private static ClusterSimulator.Result run(Autoscaling autoscaling, double coldStartSeconds, double nodeBootSeconds,
            double[] arrivals, double endSeconds) {
        return new ClusterSimulator(LINEAR_POD, autoscaling,
                new ClusterSimulator.PodStart(coldStartSeconds, nodeBootSeconds, 600), 1, 1, true)
                .run(arrivals, endSeconds);
    }

    /** Evenly spaced arrivals at {@code rate} per second over [from, to). */
    private static List<Double> steady(double rate, double from, double to) {
        List<Double> times = new ArrayList<>();
        for (long i = 0; from + i / rate < to; i++) {
            times.add(from + i / rate);
        }
        return times;
    }

    private static double[] trace(List<List<Double>> parts) {
        return parts.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).sorted().toArray();
    }

    /** 300 req/s of 10 ms each keeps 3 requests in flight: ceil(3 / 7) = 1 pod, and the activator stays in path. */
    @Test
    void steadyLoadKeepsOnePod() {
        ClusterSimulator.Result result = run(Autoscaling.knativeDefaults(10, 10, 1, 10), 1, 0,
                trace(List.of(steady(300, 0, 120))), 120);
        assertThat(result.ticks()).isNotEmpty().allSatisfy(tick -> {
            assertThat(tick.decided()).isEqualTo(1);
            assertThat(tick.panicking()).isFalse();
        });
        ClusterSimulator.Tick late = result.ticks().get(result.ticks().size() - 1);
        assertThat(late.stableConcurrency()).isCloseTo(3, within(0.01));
        assertThat(late.excessBurstCapacity()).isBetween(-205, -204); // floor(1 × 10 − 211 − 3)
        assertThat(result.p50Ms()).isCloseTo(10, within(1e-6));
        assertThat(result.maxMs()).isCloseTo(10, within(1e-6));
        assertThat(result.podsStarted()).isZero();
        assertThat(result.waitedForColdStart()).isZero();
    }

    /**
     * 2100 req/s keeps 21 in flight: ceil(21 / 7) = 3 pods. A new autoscaler that finds 3 pods starts in panic and
     * leaves it once the stable window (60 s) has passed without crossing the threshold: at the tick after 60 s.
     */
    @Test
    void steadyLoadOnThreePodsLeavesTheStartingPanicAfterAStableWindow() {
        ClusterSimulator.Result result = run(Autoscaling.knativeDefaults(10, 10, 3, 10), 1, 0,
                trace(List.of(steady(2100, 0, 120))), 120);
        for (ClusterSimulator.Tick tick : result.ticks()) {
            assertThat(tick.decided()).as("at %s s", tick.time()).isEqualTo(3);
            assertThat(tick.panicking()).as("at %s s", tick.time()).isEqualTo(tick.time() <= 60);
        }
        assertThat(result.maxMs()).isCloseTo(10, within(1e-6));
    }

    /**
     * 300 req/s, then 3000 req/s from 100 s to 130 s. The first tick after the step (102 s) sees the panic window
     * far over twice the ready pods' target and panics, asking for max-scale (10). While panicking the count never
     * falls; panic ends at the first tick more than a stable window after the last tick over the threshold.
     */
    @Test
    void burstGoesIntoPanicModeAndOutAfterAStableWindow() {
        ClusterSimulator.Result result = run(Autoscaling.knativeDefaults(10, 10, 1, 10), 2, 0,
                trace(List.of(steady(300, 0, 100), steady(3000, 100, 130), steady(300, 130, 300))), 300);
        List<ClusterSimulator.Tick> ticks = result.ticks();
        assertThat(ticks.stream().filter(t -> t.time() < 101)).allSatisfy(t -> assertThat(t.panicking()).isFalse());
        ClusterSimulator.Tick step = ticks.stream().filter(t -> t.time() == 102).findFirst().orElseThrow();
        assertThat(step.panicking()).isTrue();
        assertThat(step.scaleTo()).isEqualTo(10);
        assertThat(ticks.stream().filter(t -> t.time() == 106).findFirst().orElseThrow().readyPods()).isEqualTo(10);
        double lastOverThreshold = Double.NaN;
        ClusterSimulator.Tick previous = null;
        for (ClusterSimulator.Tick tick : ticks) {
            boolean over = Math.ceil(tick.panicConcurrency() / 7) / Math.max(1, tick.readyPods()) >= 2;
            if (previous != null && previous.panicking() && tick.panicking()) {
                assertThat(tick.decided()).as("no scale-down while panicking, at %s s", tick.time())
                        .isGreaterThanOrEqualTo(previous.decided());
            }
            if (previous != null && previous.panicking() && !tick.panicking()) {
                assertThat(tick.time()).isGreaterThan(lastOverThreshold + 60);
                assertThat(tick.time() - 2).isLessThanOrEqualTo(lastOverThreshold + 60);
            }
            if (over) {
                lastOverThreshold = tick.time();
            }
            previous = tick;
        }
        assertThat(ticks.get(ticks.size() - 1).panicking()).isFalse();
        assertThat(ticks.get(ticks.size() - 1).decided()).isEqualTo(1);
    }

    /**
     * 30 req/s until 99.5 s. The one-second bucket written at 100 s is the last with load, so the 60 s stable window
     * is empty from the tick at 160 s: the revision, active far longer than a stable window, is marked inactive
     * there and keeps its pod. Then: with target-burst-capacity 211 the activator has been in path all along (its
     * excess burst capacity is negative), so the next tick (162 s) scales to zero; with 0 the activator enters the
     * path only at 160 s and zero comes a grace period (30 s) later, at 190 s; a pod retention of 120 s holds the
     * last pod until 280 s.
     */
    @Test
    void scalesToZeroAfterTheStableWindowAndTheGracePeriod() {
        double[] trace = trace(List.of(steady(30, 0, 99.5)));
        Autoscaling oneAtMost = Autoscaling.knativeDefaults(10, 10, 0, 1);
        assertThat(scaledToZeroAt(run(oneAtMost, 1, 0, trace, 300))).isEqualTo(162);
        assertThat(scaledToZeroAt(run(oneAtMost.withBurstAndTimeout(0, 300), 1, 0, trace, 300))).isEqualTo(190);
        assertThat(scaledToZeroAt(run(oneAtMost.withScaleToZero(30, 120), 1, 0, trace, 400))).isEqualTo(280);
        ClusterSimulator.Result result = run(oneAtMost, 1, 0, trace, 300);
        ClusterSimulator.Tick lastWithLoad = result.ticks().stream().filter(t -> t.time() == 158).findFirst().orElseThrow();
        assertThat(lastWithLoad.decided()).isEqualTo(1);
        assertThat(result.ticks().stream().filter(t -> t.time() == 160).findFirst().orElseThrow().decided()).isZero();
    }

    private static double scaledToZeroAt(ClusterSimulator.Result result) {
        return result.ticks().stream().filter(t -> t.time() > 100 && t.scaleTo() == 0).findFirst().orElseThrow()
                .time();
    }

    /**
     * Five requests 0.1 s apart reach a revision at zero. The first pokes the autoscaler (ceil(1 / 7) = 1 pod);
     * the activator holds all five until the pod is ready 2 s later, then hands them over at once (5 ≤ 10): each
     * runs at 100 / s beside the others and ends at 12.01 s. Latencies 2010, 1910, 1810, 1710, 1610 ms.
     */
    @Test
    void coldStartBuffersRequestsInTheActivator() {
        double[] trace = { 10.0, 10.1, 10.2, 10.3, 10.4 };
        ClusterSimulator.Result result = run(Autoscaling.knativeDefaults(10, 10, 0, 10), 2, 0, trace, 20);
        assertThat(result.completed()).isEqualTo(5);
        assertThat(result.waitedForColdStart()).isEqualTo(5);
        assertThat(result.podsStarted()).isEqualTo(1);
        assertThat(result.maxMs()).isCloseTo(2010, within(1e-6));
        assertThat(result.p50Ms()).isCloseTo(1810, within(1e-6));

        ClusterSimulator.Result withNodeBoot = run(Autoscaling.knativeDefaults(10, 10, 0, 10), 2, 30, trace, 60);
        assertThat(withNodeBoot.maxMs()).isCloseTo(32010, within(1e-6));

        ClusterSimulator.Result timedOut = run(Autoscaling.knativeDefaults(10, 10, 0, 10).withBurstAndTimeout(211, 20),
                2, 30, trace, 60);
        assertThat(timedOut.completed()).isZero();
        assertThat(timedOut.timeouts()).isEqualTo(5);
    }
}
