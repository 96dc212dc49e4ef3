package dev.zeroserve.tools.bench;

import java.util.Arrays;

/** Nearest-rank percentiles. */
public final class Percentiles {
    private Percentiles() {
    }

    public static double of(double[] values, double percentile) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
