package dev.zeroserve.tools.plan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Knative's own decisions, from {@code pkg/autoscaler/scaling/autoscaler_test.go} of knative/serving 98e5ef90: same
 * spec (target utilization 0.75 for the total, panic threshold 2, scale-up and scale-down rates 10, stable window
 * 60 s, reachable), same ready pods and window averages, same expected desired pods, excess burst capacity (within
 * ±1, as Knative's {@code approxEquateInt32} allows) and panic mode. Each test names the Knative test it repeats.
 */
class KpaDeciderTest {
    private static final double KNATIVE_UTILIZATION = 0.75;
    private static final double T0 = 1_000;

    private static KpaDecider.Spec spec(double targetValue, double targetBurstCapacity) {
        return new KpaDecider.Spec(targetValue, targetValue / KNATIVE_UTILIZATION, targetBurstCapacity, 2, 10, 10, 60,
                true, 0);
    }

    /** Knative's {@code expectedEBC}. */
    private static int expectedEbc(double targetValue, double targetBurstCapacity, double panicConcurrency, int pods) {
        return (int) Math.floor(targetValue / KNATIVE_UTILIZATION * pods - targetBurstCapacity - panicConcurrency);
    }

    private static void expect(KpaDecider.Decision decision, int pods, int ebc) {
        assertThat(decision.desiredPodCount()).as("desired pods").isEqualTo(pods);
        assertThat(decision.excessBurstCapacity()).as("excess burst capacity").isBetween(ebc - 1, ebc + 1);
    }

    @Test
    void stableModeIncreaseWithConcurrencyDefault() {
        KpaDecider a = new KpaDecider(spec(10, 101), 1, T0);
        expect(a.decide(T0, 1, 50, 10), 5, expectedEbc(10, 101, 10, 1));
        expect(a.decide(T0, 1, 100, 10), 10, expectedEbc(10, 101, 10, 1));
    }

    @Test
    void unpanicAfterSlowIncrease() {
        KpaDecider a = new KpaDecider(spec(1, 98), 1, T0);
        KpaDecider.Decision jump = a.decide(T0, 10, 11, 25);
        expect(jump, 25, expectedEbc(1, 98, 25, 10));
        assertThat(jump.panicking()).isTrue();
        KpaDecider.Decision half = a.decide(T0 + 30, 40, 30, 41);
        expect(half, 41, expectedEbc(1, 98, 41, 40));
        assertThat(half.panicking()).as("panic time not moved, still panicking").isTrue();
        KpaDecider.Decision end = a.decide(T0 + 30 + 32, 55, 50, 56);
        expect(end, 50, expectedEbc(1, 98, 56, 55));
        assertThat(end.panicking()).isFalse();
    }

    @Test
    void extendPanicWindow() {
        KpaDecider a = new KpaDecider(spec(1, 98), 1, T0);
        expect(a.decide(T0, 10, 11, 25), 25, expectedEbc(1, 98, 25, 10));
        expect(a.decide(T0 + 30, 40, 30, 80), 80, expectedEbc(1, 98, 80, 40));
        // Extended at T0 + 30: still panicking 60 s after the first crossing.
        assertThat(a.decide(T0 + 61, 80, 1, 1).panicking()).isTrue();
    }

    @Test
    void stableModeDecrease() {
        KpaDecider a = new KpaDecider(spec(10, 98), 1, T0);
        expect(a.decide(T0, 8, 100, 100), 10, expectedEbc(10, 98, 100, 8));
        expect(a.decide(T0, 8, 50, 50), 5, expectedEbc(10, 98, 50, 8));
    }

    @Test
    void stableModeNoTrafficScaleToZero() {
        KpaDecider a = new KpaDecider(spec(10, 75), 1, T0);
        expect(a.decide(T0, 1, 1, 0), 1, expectedEbc(10, 75, 0, 1));
        expect(a.decide(T0, 1, 0, 0), 0, expectedEbc(10, 75, 0, 1));
    }

    @Test
    void activationScale() {
        KpaDecider.Spec s = spec(10, 75);
        KpaDecider a = new KpaDecider(new KpaDecider.Spec(s.targetValue(), s.totalValue(), s.targetBurstCapacity(),
                s.panicThreshold(), s.maxScaleUpRate(), s.maxScaleDownRate(), s.stableWindowSeconds(), true, 2), 1, T0);
        expect(a.decide(T0, 1, 0, 0), 0, expectedEbc(10, 75, 0, 1));
        expect(a.decide(T0, 1, 1, 0), 2, expectedEbc(10, 75, 0, 1));
    }

    @Test
    void panicModeExponentialTrackAndStabilize() {
        KpaDecider a = new KpaDecider(spec(1, 101), 1, T0);
        expect(a.decide(T0, 1, 6, 6), 6, expectedEbc(1, 101, 6, 1));
        expect(a.decide(T0, 6, 36, 36), 36, expectedEbc(1, 101, 36, 6));
        assertThat(a.panicking()).isTrue();
        expect(a.decide(T0 + 1, 36, 216, 216), 216, expectedEbc(1, 101, 216, 36));
        expect(a.decide(T0 + 1, 216, 1296, 1296), 1296, expectedEbc(1, 101, 1296, 216));
        expect(a.decide(T0 + 2, 1296, 1296, 1296), 1296, expectedEbc(1, 101, 1296, 1296));
    }

    /** The cases of Knative's {@code TestAutoscalerScale} table (the no-data ones as averages of zero). */
    @Test
    void scaleTable() {
        expect(new KpaDecider(spec(10, 100), 1, T0).decide(T0, 1, 0, 0), 0, expectedEbc(10, 100, 0, 1));
        expect(new KpaDecider(spec(181, -1), 1, T0).decide(T0, 1, 21, 26), 1, -1);
        expect(new KpaDecider(spec(10, 0), 1, T0).decide(T0, 1, 50, 49), 5, 0);
        expect(new KpaDecider(spec(10, 100), 1, T0).decide(T0, 1, 50, 50), 5, expectedEbc(10, 100, 50, 1));
        // Panicking since 5 s with 5 pods: the stable value wins when larger, the panic value otherwise.
        expect(new KpaDecider(spec(1, 100), 5, T0 - 5).decide(T0, 5, 50, 30), 50, expectedEbc(1, 100, 30, 5));
        expect(new KpaDecider(spec(1, 100), 5, T0 - 5).decide(T0, 5, 20, 30), 30, expectedEbc(1, 100, 30, 5));
        expect(new KpaDecider(spec(10, 100), 1, T0).decide(T0, 5, 50, 50), 5, expectedEbc(10, 100, 50, 5));
        KpaDecider.Spec base = spec(1, 1982);
        KpaDecider.Spec slowUp = new KpaDecider.Spec(base.targetValue(), base.totalValue(), 1982, 2, 1.1, 10, 60,
                true, 0);
        expect(new KpaDecider(slowUp, 1, T0).decide(T0, 2, 3, 3.1), 3, expectedEbc(1, 1982, 3.1, 2));
        KpaDecider.Spec tenBase = spec(10, 1982);
        KpaDecider.Spec slowDown = new KpaDecider.Spec(10, tenBase.totalValue(), 1982, 2, 10, 1.1, 60, true, 0);
        expect(new KpaDecider(slowDown, 1, T0).decide(T0, 100, 1, 1), 90, expectedEbc(10, 1982, 1, 100));
        KpaDecider.Spec unreachable = new KpaDecider.Spec(10, tenBase.totalValue(), 1982, 2, 10, 1.1, 60, false, 0);
        expect(new KpaDecider(unreachable, 1, T0).decide(T0, 100, 1, 1), 1, expectedEbc(10, 1982, 1, 100));
        expect(new KpaDecider(spec(10, 84), 1, T0).decide(T0, 1, 50, 100), 10, expectedEbc(10, 84, 100, 1));
    }

    @Test
    void panicThenUnpanicScaleDown() {
        KpaDecider a = new KpaDecider(spec(10, 93), 1, T0);
        expect(a.decide(T0, 1, 100, 100), 10, expectedEbc(10, 93, 100, 1));
        double panicTime = T0 + 1;
        expect(a.decide(panicTime, 10, 100, 1000), 100, expectedEbc(10, 93, 1000, 10));
        expect(a.decide(panicTime + 30, 10, 1, 1), 100, expectedEbc(10, 93, 1, 10));
        expect(a.decide(panicTime + 61, 10, 1, 1), 1, expectedEbc(10, 93, 1, 10));
    }

    @Test
    void rateLimitScaleUp() {
        KpaDecider a = new KpaDecider(spec(10, 61), 1, T0);
        expect(a.decide(T0, 1, 1000, 1001), 10, expectedEbc(10, 61, 1001, 1));
        expect(a.decide(T0, 10, 1000, 1001), 100, expectedEbc(10, 61, 1001, 10));
    }

    @Test
    void rateLimitScaleDown() {
        KpaDecider a = new KpaDecider(spec(10, 61), 1, T0);
        expect(a.decide(T0, 100, 1, 1), 10, expectedEbc(10, 61, 1, 100));
        expect(a.decide(T0, 10, 1, 1), 1, expectedEbc(10, 61, 1, 10));
    }

    @Test
    void useOnePodAsMinimumIfEndpointsNotFound() {
        KpaDecider a = new KpaDecider(spec(10, 81), 1, T0);
        expect(a.decide(T0, 0, 1000, 888), 10, expectedEbc(10, 81, 888, 0));
    }

    @Test
    void startInPanicMode() {
        assertThat(new KpaDecider(spec(100, 11), 0, T0).panicking()).isFalse();
        assertThat(new KpaDecider(spec(100, 11), 1, T0).panicking()).isFalse();
        assertThat(new KpaDecider(spec(100, 11), 2, T0).panicking()).isTrue();
    }
}
