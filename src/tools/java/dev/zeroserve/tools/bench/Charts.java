package dev.zeroserve.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** SVG line charts: panels stacked top to bottom, each with its own axes and one polyline per series. */
public final class Charts {
    private static final String[] COLOURS = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
            "#e377c2", "#7f7f7f" };
    private static final int WIDTH = 900;
    private static final int PANEL_HEIGHT = 400;
    private static final int MARGIN = 70;

    private Charts() {
    }

    /** One line; {@code pointLabels}, when not null, marks and labels every point. */
    public record Series(String name, double[] x, double[] y, String[] pointLabels) {
    }

    /** One set of axes; a logarithmic x axis for sweeps over powers of two. */
    public record Panel(String title, String xLabel, String yLabel, boolean logX, List<Series> series) {
    }

    static void latencyAgainstThroughput(List<ProtocolBench.Result> results, Path svg) throws IOException {
        Map<String, List<ProtocolBench.Result>> byLine = new LinkedHashMap<>();
        for (ProtocolBench.Result r : results) {
            byLine.computeIfAbsent(r.protocol() + " " + r.tokens() + " tokens", k -> new ArrayList<>()).add(r);
        }
        List<Series> series = new ArrayList<>();
        byLine.forEach((name, line) -> series.add(new Series(name,
                line.stream().mapToDouble(ProtocolBench.Result::throughput).toArray(),
                line.stream().mapToDouble(r -> r.percentile(50)).toArray(),
                line.stream().map(r -> Integer.toString(r.concurrency())).toArray(String[]::new))));
        write(svg, List.of(new Panel("p50 latency against throughput (points: concurrency)", "requests per second",
                "p50 latency (ms)", false, series)));
    }

    public static void write(Path svg, List<Panel> panels) throws IOException {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" "
                        + "font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", WIDTH,
                PANEL_HEIGHT * panels.size()));
        for (int i = 0; i < panels.size(); i++) {
            panel(out, panels.get(i), i * PANEL_HEIGHT);
        }
        out.append("</svg>\n");
        if (svg.getParent() != null) {
            Files.createDirectories(svg.getParent());
        }
        Files.writeString(svg, out);
        System.out.println("wrote " + svg);
    }

    private static void panel(StringBuilder out, Panel panel, int top) {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (Series s : panel.series()) {
            for (int i = 0; i < s.x().length; i++) {
                minX = Math.min(minX, scaleX(panel, s.x()[i]));
                maxX = Math.max(maxX, scaleX(panel, s.x()[i]));
                if (Double.isFinite(s.y()[i])) {
                    maxY = Math.max(maxY, s.y()[i]);
                }
            }
        }
        if (!(maxX > minX)) {
            maxX = minX + 1;
        }
        maxY = maxY > 0 ? maxY : 1;
        int bottom = top + PANEL_HEIGHT - MARGIN;
        int plotTop = top + MARGIN;
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"16\">%s</text>%n", MARGIN,
                top + 30, escape(panel.title())));
        line(out, MARGIN, bottom, WIDTH - MARGIN, bottom);
        line(out, MARGIN, plotTop, MARGIN, bottom);
        for (int i = 0; i <= 5; i++) {
            double x = MARGIN + i * (WIDTH - 2.0 * MARGIN) / 5;
            double y = bottom - i * (bottom - plotTop) / 5.0;
            double xValue = minX + (maxX - minX) * i / 5;
            out.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                    bottom + 18, tick(panel.logX() ? Math.pow(2, xValue) : xValue)));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%s</text>%n",
                    MARGIN - 6, y + 4, tick(maxY * i / 5)));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                WIDTH / 2, bottom + 38, escape(panel.xLabel())));
        int middle = (plotTop + bottom) / 2;
        out.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" transform=\"rotate(-90 18 %d)\" "
                + "text-anchor=\"middle\">%s</text>%n", middle, middle, escape(panel.yLabel())));
        int index = 0;
        for (Series s : panel.series()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) {
                    continue;
                }
                double x = MARGIN + (scaleX(panel, s.x()[i]) - minX) / (maxX - minX) * (WIDTH - 2.0 * MARGIN);
                double y = bottom - s.y()[i] / maxY * (bottom - plotTop);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                if (s.pointLabels() != null) {
                    out.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>"
                            + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%s</text>%n", x, y, colour, x + 4, y - 4,
                            escape(s.pointLabels()[i])));
                }
            }
            out.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\"/>%n",
                    points.toString().trim(), colour));
            out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                    WIDTH - MARGIN - 260, plotTop + 16 * index, colour, escape(s.name())));
            index++;
        }
    }

    private static double scaleX(Panel panel, double x) {
        return panel.logX() ? Math.log(x) / Math.log(2) : x;
    }

    private static String tick(double value) {
        return String.format(Locale.ROOT, Math.abs(value) >= 10 || value == Math.rint(value) ? "%.0f" : "%.1f", value);
    }

    private static void line(StringBuilder out, double x1, double y1, double x2, double y2) {
        out.append(String.format(Locale.ROOT, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>%n",
                x1, y1, x2, y2));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
