package dev.zeroserve.tools.plan;

/**
 * A revision's autoscaling: its annotations and {@code containerConcurrency}, with the cluster's
 * {@code config-autoscaler} defaults of knative/serving 98e5ef90 ({@code pkg/autoscaler/config/config.go}) where the
 * revision says nothing. Times are seconds.
 */
record Autoscaling(double target, double targetUtilization, int containerConcurrency, double targetBurstCapacity,
        int minScale, int maxScale, double stableWindowSeconds, double panicWindowPercentage,
        double panicThresholdPercentage, double maxScaleUpRate, double maxScaleDownRate,
        double scaleToZeroGracePeriodSeconds, double scaleToZeroPodRetentionSeconds, int activationScale,
        double timeoutSeconds) {

    Autoscaling {
        if (target < 0.01) {
            throw new IllegalArgumentException("target must be at least 0.01 (Knative's TargetMin), got " + target);
        }
        if (!(targetUtilization > 0 && targetUtilization <= 1)) {
            throw new IllegalArgumentException("target utilization must be in (0, 1], got " + targetUtilization);
        }
        if (containerConcurrency < 0 || minScale < 0 || maxScale < 0 || maxScale > 0 && maxScale < minScale) {
            throw new IllegalArgumentException("need containerConcurrency >= 0 and 0 <= min-scale <= max-scale "
                    + "(0 = unlimited), got " + containerConcurrency + ", " + minScale + ", " + maxScale);
        }
    }

    /** Knative's defaults around the given target, concurrency limit and scale bounds; Knative's 300 s timeout. */
    static Autoscaling knativeDefaults(double target, int containerConcurrency, int minScale, int maxScale) {
        return new Autoscaling(target, 0.7, containerConcurrency, 211, minScale, maxScale, 60, 10, 200, 1000, 2, 30, 0,
                1, 300);
    }

    Autoscaling withTarget(double newTarget) {
        return new Autoscaling(newTarget, targetUtilization, containerConcurrency, targetBurstCapacity, minScale,
                maxScale, stableWindowSeconds, panicWindowPercentage, panicThresholdPercentage, maxScaleUpRate,
                maxScaleDownRate, scaleToZeroGracePeriodSeconds, scaleToZeroPodRetentionSeconds, activationScale,
                timeoutSeconds);
    }

    Autoscaling withMinScale(int newMinScale) {
        return new Autoscaling(target, targetUtilization, containerConcurrency, targetBurstCapacity, newMinScale,
                maxScale, stableWindowSeconds, panicWindowPercentage, panicThresholdPercentage, maxScaleUpRate,
                maxScaleDownRate, scaleToZeroGracePeriodSeconds, scaleToZeroPodRetentionSeconds, activationScale,
                timeoutSeconds);
    }

    Autoscaling withBurstAndTimeout(double newTargetBurstCapacity, double newTimeoutSeconds) {
        return new Autoscaling(target, targetUtilization, containerConcurrency, newTargetBurstCapacity, minScale,
                maxScale, stableWindowSeconds, panicWindowPercentage, panicThresholdPercentage, maxScaleUpRate,
                maxScaleDownRate, scaleToZeroGracePeriodSeconds, scaleToZeroPodRetentionSeconds, activationScale,
                newTimeoutSeconds);
    }

    Autoscaling withScaleToZero(double gracePeriodSeconds, double podRetentionSeconds) {
        return new Autoscaling(target, targetUtilization, containerConcurrency, targetBurstCapacity, minScale,
                maxScale, stableWindowSeconds, panicWindowPercentage, panicThresholdPercentage, maxScaleUpRate,
                maxScaleDownRate, gracePeriodSeconds, podRetentionSeconds, activationScale, timeoutSeconds);
    }

    /**
     * {@code ResolveMetricTarget} ({@code pkg/reconciler/autoscaling/resources/target.go}): the total a pod may hold
     * is the target, capped by containerConcurrency; the autoscaler aims at that times the utilization.
     */
    KpaDecider.Spec deciderSpec() {
        double total = containerConcurrency > 0 ? Math.min(target, containerConcurrency) : target;
        return new KpaDecider.Spec(Math.max(0.01, total * targetUtilization), total, targetBurstCapacity,
                panicThresholdPercentage / 100, maxScaleUpRate, maxScaleDownRate, stableWindowSeconds, true,
                activationScale);
    }

    int panicWindowSeconds() {
        return (int) Math.max(1, Math.round(stableWindowSeconds * panicWindowPercentage / 100));
    }
}
