package dev.zeroserve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An SVG chart of p50 latency against throughput: one line per protocol and token count, a point per concurrency. */
final class Charts {
    private static final String[] COLOURS = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f" };
    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;
    private static final int MARGIN = 70;

    private Charts() {
    }

    static void latencyAgainstThroughput(List<ProtocolBench.Result> results, Path svg) throws IOException {
        Map<String, List<ProtocolBench.Result>> series = new LinkedHashMap<>();
        double maxThroughput = 1;
        double maxLatency = 1;
        for (ProtocolBench.Result r : results) {
            series.computeIfAbsent(r.protocol() + " " + r.tokens() + " tokens", k -> new ArrayList<>()).add(r);
            maxThroughput = Math.max(maxThroughput, r.throughput());
            maxLatency = Math.max(maxLatency, r.percentile(50));
        }
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\">p50 latency against "
                + "throughput (points: concurrency)</text>%n", MARGIN));
        line(out, MARGIN, HEIGHT - MARGIN, WIDTH - MARGIN, HEIGHT - MARGIN, "black");
        line(out, MARGIN, MARGIN, MARGIN, HEIGHT - MARGIN, "black");
        for (int i = 0; i <= 5; i++) {
            double x = MARGIN + i * (WIDTH - 2.0 * MARGIN) / 5;
            double y = HEIGHT - MARGIN - i * (HEIGHT - 2.0 * MARGIN) / 5;
            out.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%.0f</text>%n", x,
                    HEIGHT - MARGIN + 18, maxThroughput * i / 5));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.1f</text>%n",
                    MARGIN - 6, y + 4, maxLatency * i / 5));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">requests per second"
                + "</text>%n", WIDTH / 2, HEIGHT - 20));
        out.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" "
                + "text-anchor=\"middle\">p50 latency (ms)</text>%n", HEIGHT / 2, HEIGHT / 2));
        int index = 0;
        for (Map.Entry<String, List<ProtocolBench.Result>> entry : series.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (ProtocolBench.Result r : entry.getValue()) {
                double x = MARGIN + r.throughput() / maxThroughput * (WIDTH - 2.0 * MARGIN);
                double y = HEIGHT - MARGIN - r.percentile(50) / maxLatency * (HEIGHT - 2.0 * MARGIN);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>"
                        + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%d</text>%n", x, y, colour, x + 4, y - 4,
                        r.concurrency()));
            }
            out.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\"/>%n",
                    points.toString().trim(), colour));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                    WIDTH - MARGIN - 170, MARGIN + 16 * index, colour, entry.getKey()));
            index++;
        }
        out.append("</svg>\n");
        Files.writeString(svg, out);
        System.out.println("wrote " + svg);
    }

    private static void line(StringBuilder out, double x1, double y1, double x2, double y2, String colour) {
        out.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\"/>%n",
                x1, y1, x2, y2, colour));
    }
}
