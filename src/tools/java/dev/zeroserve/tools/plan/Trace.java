package dev.zeroserve.tools.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Request arrival times in seconds from the trace's start, sorted. */
record Trace(String description, double[] arrivals, double durationSeconds) {
    /** Sharpens the day's cosine so that nights are quiet for hours, as an office-hours service's are. */
    private static final double DAY_SHAPE_POWER = 4;

    /**
     * A CSV with one arrival per line, the first column in seconds (a header line that is not a number is
     * skipped); times are shifted so that the trace starts at 0.
     */
    static Trace read(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("trace file " + csv + " does not exist");
        }
        List<String> lines = Files.readAllLines(csv);
        double[] times = new double[lines.size()];
        int count = 0;
        for (int i = 0; i < lines.size(); i++) {
            String first = lines.get(i).split(",", 2)[0].trim();
            if (first.isEmpty()) {
                continue;
            }
            try {
                times[count] = Double.parseDouble(first);
                count++;
            } catch (NumberFormatException e) {
                if (i > 0) {
                    throw new IllegalArgumentException(csv + " line " + (i + 1) + ": '" + first
                            + "' is not an arrival time in seconds");
                }
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException(csv + " holds no arrival times");
        }
        double[] sorted = Arrays.copyOf(times, count);
        Arrays.sort(sorted);
        double start = sorted[0];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] -= start;
        }
        return new Trace(csv.toString(), sorted, Math.ceil(sorted[sorted.length - 1]) + 1);
    }

    /**
     * A day-shaped Poisson trace: the rate follows the fourth power of a cosine from {@code nightRps} at 02:00 to
     * {@code peakRps} at 14:00 (a tenth of the peak at 08:30 and 19:30); with {@code burstsPerHour} > 0, bursts of {@code burstRps} more for {@code burstSeconds} arrive as a
     * Poisson process on top (at night too, which is what wakes a revision at zero).
     */
    static Trace generated(String shape, double hours, double nightRps, double peakRps, double burstsPerHour,
            double burstRps, double burstSeconds, long seed) {
        Random random = new Random(seed);
        int seconds = (int) Math.round(hours * 3600);
        double[] extra = new double[seconds];
        if (burstsPerHour > 0) {
            for (double t = exponential(random, 3600 / burstsPerHour); t < seconds;
                    t += exponential(random, 3600 / burstsPerHour)) {
                for (int s = (int) t; s < Math.min(seconds, t + burstSeconds); s++) {
                    extra[s] += burstRps;
                }
            }
        }
        List<Double> arrivals = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            double dayFraction = ((s / 3600.0) - 2) / 24;
            double rate = nightRps + (peakRps - nightRps) * Math.pow((1 - Math.cos(2 * Math.PI * dayFraction)) / 2,
                    DAY_SHAPE_POWER) + extra[s];
            int count = poisson(random, rate);
            double[] within = new double[count];
            for (int i = 0; i < count; i++) {
                within[i] = s + random.nextDouble();
            }
            Arrays.sort(within);
            for (double t : within) {
                arrivals.add(t);
            }
        }
        String description = String.format(java.util.Locale.ROOT,
                "%s: %.0f h, %.3f req/s at night to %.1f at 14:00%s, seed %d", shape, hours, nightRps, peakRps,
                burstsPerHour > 0 ? String.format(java.util.Locale.ROOT, ", %.1f bursts per hour of +%.0f req/s for "
                        + "%.0f s", burstsPerHour, burstRps, burstSeconds) : "", seed);
        return new Trace(description, arrivals.stream().mapToDouble(Double::doubleValue).toArray(), seconds);
    }

    private static double exponential(Random random, double mean) {
        return -mean * Math.log(1 - random.nextDouble());
    }

    private static int poisson(Random random, double mean) {
        if (mean > 30) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        int k = 0;
        for (double p = random.nextDouble(); p > limit; p *= random.nextDouble()) {
            k++;
        }
        return k;
    }
}
