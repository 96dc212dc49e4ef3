package dev.zeroserve.tools.plan;

/**
 * The autoscaler's averaging window over one-second buckets, as {@code TimedFloat64Buckets} in
 * {@code pkg/autoscaler/aggregation/bucketing.go} (knative/serving 98e5ef90): the average counts only the buckets
 * since the first write, and that first write resets after a whole window without data, so the first requests
 * after an idle spell are not diluted by the zeros before them. Times are whole seconds.
 */
final class MetricWindow {
    private static final long NEVER = Long.MIN_VALUE / 4;

    private final double[] buckets;
    private long firstWrite = NEVER;
    private long lastWrite = NEVER;
    private double windowTotal;

    MetricWindow(int windowSeconds) {
        if (windowSeconds < 1) {
            throw new IllegalArgumentException("window must be at least one second, got " + windowSeconds);
        }
        this.buckets = new double[windowSeconds];
    }

    void record(long second, double value) {
        if (second != lastWrite) {
            if (second + buckets.length <= lastWrite) {
                return; // older than a window: Knative drops it
            }
            if (firstWrite == NEVER || firstWrite > second) {
                firstWrite = second;
            }
            if (second > lastWrite) {
                if (second - lastWrite >= buckets.length) {
                    firstWrite = second;
                    java.util.Arrays.fill(buckets, 0);
                    windowTotal = 0;
                } else {
                    for (long s = lastWrite + 1; s <= second; s++) {
                        int index = index(s);
                        windowTotal -= buckets[index];
                        buckets[index] = 0;
                    }
                }
                lastWrite = second;
            }
        }
        buckets[index(second)] += value;
        windowTotal += value;
    }

    double average(long now) {
        long sinceLastWrite = now - lastWrite;
        if (sinceLastWrite <= 0) {
            return round(windowTotal / Math.min(lastWrite - firstWrite + 1, buckets.length));
        }
        if (sinceLastWrite < buckets.length) {
            double total = windowTotal;
            for (long s = lastWrite + 1; s <= now; s++) {
                total -= buckets[index(s)];
            }
            return round(total / Math.min(lastWrite - firstWrite + 1, buckets.length - sinceLastWrite));
        }
        return 0;
    }

    private int index(long second) {
        return (int) Math.floorMod(second, (long) buckets.length);
    }

    /** Knative rounds window averages to six digits. */
    private static double round(double value) {
        return Math.round(value * 1e6) / 1e6;
    }
}
