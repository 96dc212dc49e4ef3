package dev.zeroserve.tools.plan;

/**
 * One revision's Knative Pod Autoscaler decision, as {@code Scale} in {@code pkg/autoscaler/scaling/autoscaler.go}
 * of knative/serving at commit 98e5ef90 ({@code knative-v1.23.0-5}): desired pods from the stable and panic window
 * averages, rate-limited, with panic mode and the excess burst capacity that decides whether the activator stays in
 * the request path. Scale-down delay is not modelled. Times are seconds.
 */
final class KpaDecider {
    /** Knative's {@code DeciderSpec}, concurrency metric only. */
    record Spec(double targetValue, double totalValue, double targetBurstCapacity, double panicThreshold,
            double maxScaleUpRate, double maxScaleDownRate, double stableWindowSeconds, boolean reachable,
            int activationScale) {
    }

    /** Knative's {@code ScaleResult}; {@code panicking} is its panic-mode gauge. */
    record Decision(int desiredPodCount, int excessBurstCapacity, boolean panicking) {
    }

    private static final double NOT_PANICKING = Double.NaN;

    private final Spec spec;
    private double panicTime;
    private int maxPanicPods;

    /** A new autoscaler starts in panic mode when it finds more than one pod, so that a restart never scales down. */
    KpaDecider(Spec spec, int readyPodsAtStart, double now) {
        this.spec = spec;
        this.panicTime = readyPodsAtStart > 1 ? now : NOT_PANICKING;
        this.maxPanicPods = readyPodsAtStart;
    }

    boolean panicking() {
        return !Double.isNaN(panicTime);
    }

    Decision decide(double now, int readyPods, double stableConcurrency, double panicConcurrency) {
        double ready = Math.max(1, readyPods);
        double maxScaleUp = Math.ceil(spec.maxScaleUpRate() * ready);
        double maxScaleDown = spec.reachable() ? Math.floor(ready / spec.maxScaleDownRate()) : 0;
        double stablePods = Math.ceil(stableConcurrency / spec.targetValue());
        double panicPods = Math.ceil(panicConcurrency / spec.targetValue());
        int desiredStable = (int) Math.min(Math.max(stablePods, maxScaleDown), maxScaleUp);
        int desiredPanic = (int) Math.min(Math.max(panicPods, maxScaleDown), maxScaleUp);
        if (spec.activationScale() > 1) {
            if (stablePods > 0 && spec.activationScale() > desiredStable) {
                desiredStable = spec.activationScale();
            }
            if (panicPods > 0 && spec.activationScale() > desiredPanic) {
                desiredPanic = spec.activationScale();
            }
        }
        boolean overPanicThreshold = panicPods / ready >= spec.panicThreshold();
        if (overPanicThreshold) {
            panicTime = now;
        } else if (panicking() && panicTime + spec.stableWindowSeconds() < now) {
            // The surge has made its way into the stable window.
            panicTime = NOT_PANICKING;
            maxPanicPods = 0;
        }
        int desired = desiredStable;
        if (panicking()) {
            // Provision for the larger of the two, and never scale down while panicking.
            desired = Math.max(desired, desiredPanic);
            maxPanicPods = Math.max(maxPanicPods, desired);
            desired = maxPanicPods;
        }
        double excessBurstCapacity;
        if (spec.targetBurstCapacity() == 0) {
            excessBurstCapacity = 0;
        } else if (spec.targetBurstCapacity() > 0) {
            excessBurstCapacity = Math.floor(readyPods * spec.totalValue() - spec.targetBurstCapacity()
                    - panicConcurrency);
        } else {
            excessBurstCapacity = -1;
        }
        return new Decision(desired, (int) excessBurstCapacity, panicking());
    }
}
