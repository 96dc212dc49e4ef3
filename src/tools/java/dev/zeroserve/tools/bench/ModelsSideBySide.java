package dev.zeroserve.tools.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.DirectOnnxRuntime;

/**
 * Rewrites of one model (files with the bundled model's inputs and output, such as
 * {@code src/tools/scripts/perrow-quantize.py} makes) compared with each other in one process:
 * <ul>
 * <li><b>rows</b>: for each file, the largest difference between a row's {@code last_hidden_state} alone and the
 * same row's in batches of 8 different rows, in order and shuffled, and of 4 of them (0 means rows are independent of
 * their batch mates, bit for bit); and how many values differ, bit for bit, from the first file's;
 * <li><b>speed</b>: the files timed round-robin, cell by cell ({@code --rounds} rounds of {@code --seconds} each,
 * medians printed), so that a machine whose speed drifts between processes still gives fair ratios — a lone row
 * with one caller on every core, and batches of 1, 8 and 32 with one caller of one thread per core.
 * </ul>
 * Options: {@code --models A.onnx,B.onnx[,...] --tokens 16 --rounds 6 --seconds 2 --batches 1,8,32}; {@code
 * --rounds 0} compares the rows only.
 */
public final class ModelsSideBySide {
    private static final int ROWS = 8;

    private ModelsSideBySide() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ProtocolBench.options(args);
        List<Path> models = Arrays.stream(options.getOrDefault("models", "").split(",")).filter(s -> !s.isBlank())
                .map(Path::of).toList();
        if (models.size() < 2) {
            throw new IllegalArgumentException("--models needs two model files or more, separated by commas");
        }
        int tokens = Integer.parseInt(options.getOrDefault("tokens", "16"));
        int rounds = Integer.parseInt(options.getOrDefault("rounds", "6"));
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "2"));
        int[] batches = ProtocolBench.ints(options.getOrDefault("batches", "1,8,32"));
        int cores = Runtime.getRuntime().availableProcessors();

        Map<Path, OrtSession> wide = new LinkedHashMap<>();
        Map<Path, OrtSession> narrow = new LinkedHashMap<>();
        try {
            for (Path model : models) {
                wide.put(model, DirectOnnxRuntime.openModel(model, cores));
                narrow.put(model, DirectOnnxRuntime.openModel(model, 1));
            }
            compareRows(narrow, tokens);
            if (rounds == 0) {
                return;
            }
            long[] ids = BundledModelRequests.tokenIds(tokens);
            time("lone row", 1, cores, 1, calls(wide, ids, 1), rounds, seconds);
            for (int batch : batches) {
                time("batch " + batch, batch, 1, cores, calls(narrow, ids, batch), rounds, seconds);
            }
        } finally {
            for (OrtSession session : wide.values()) {
                session.close();
            }
            for (OrtSession session : narrow.values()) {
                session.close();
            }
        }
    }

    /** One call per model: {@code batch} copies of the sequence. */
    private static Map<Path, ProtocolBench.Client> calls(Map<Path, OrtSession> sessions, long[] ids, int batch) {
        Map<Path, ProtocolBench.Client> calls = new LinkedHashMap<>();
        sessions.forEach((model, session) -> calls.put(model,
                () -> DirectOnnxRuntime.lastHiddenState(session, ids, batch)));
        return calls;
    }

    private static void compareRows(Map<Path, OrtSession> sessions, int tokens) throws Exception {
        float[][] first = null;
        for (Map.Entry<Path, OrtSession> model : sessions.entrySet()) {
            float[][] alone = alone(model.getValue(), tokens);
            double largest = largestBatchedDifference(model.getValue(), alone, tokens);
            long differing = first == null ? 0 : differingBits(first, alone);
            first = first == null ? alone : first;
            System.out.printf(Locale.ROOT, "rows model=%s tokens=%d largest_difference_batched_vs_alone=%s "
                    + "values_differing_from_first_model=%d%n", model.getKey(), tokens, largest, differing);
        }
    }

    /** {@code last_hidden_state} of each of the eight rows, run alone. */
    static float[][] alone(OrtSession session, int tokens) throws Exception {
        long[][] rows = distinctRows(tokens);
        float[][] alone = new float[ROWS][];
        for (int row = 0; row < ROWS; row++) {
            alone[row] = DirectOnnxRuntime.lastHiddenState(session, new long[][] { rows[row] });
        }
        return alone;
    }

    /** The largest difference between a row batched with others (three mixes) and the same row {@code alone}. */
    static double largestBatchedDifference(OrtSession session, float[][] alone, int tokens) throws Exception {
        long[][] rows = distinctRows(tokens);
        int[][] mixes = { { 0, 1, 2, 3, 4, 5, 6, 7 }, { 5, 2, 7, 0, 3, 6, 1, 4 }, { 3, 1, 6, 4 } };
        int width = alone[0].length;
        double largest = 0;
        for (int[] mix : mixes) {
            long[][] batch = new long[mix.length][];
            for (int i = 0; i < mix.length; i++) {
                batch[i] = rows[mix[i]];
            }
            float[] together = DirectOnnxRuntime.lastHiddenState(session, batch);
            for (int i = 0; i < mix.length; i++) {
                for (int j = 0; j < width; j++) {
                    largest = Math.max(largest, Math.abs(together[i * width + j] - alone[mix[i]][j]));
                }
            }
        }
        return largest;
    }

    private static long differingBits(float[][] a, float[][] b) {
        long differing = 0;
        for (int row = 0; row < a.length; row++) {
            for (int j = 0; j < a[row].length; j++) {
                differing += Float.floatToIntBits(a[row][j]) == Float.floatToIntBits(b[row][j]) ? 0 : 1;
            }
        }
        return differing;
    }

    /** Eight rows of different word-piece ids between [CLS] and [SEP], the same on every run. */
    private static long[][] distinctRows(int tokens) {
        Random random = new Random(7);
        long[][] rows = new long[ROWS][tokens];
        for (long[] row : rows) {
            for (int i = 1; i < tokens - 1; i++) {
                row[i] = 1000 + random.nextInt(28_000);
            }
            row[0] = 101;
            row[tokens - 1] = 102;
        }
        return rows;
    }

    private static void time(String cell, int batch, int threads, int callers, Map<Path, ProtocolBench.Client> calls,
            int rounds, double seconds) throws Exception {
        Map<Path, List<double[]>> results = new LinkedHashMap<>();
        for (Map.Entry<Path, ProtocolBench.Client> model : calls.entrySet()) {
            ProtocolBench.timed(callers, 1, model.getValue()); // JIT and first runs
            results.put(model.getKey(), new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<Path, ProtocolBench.Client> model : calls.entrySet()) {
                ProtocolBench.ClosedLoop loop = ProtocolBench.closedLoop(callers, seconds, model.getValue());
                results.get(model.getKey()).add(new double[] { loop.callsPerSecond() * batch,
                        Percentiles.of(loop.millis(), 50) });
            }
        }
        for (Map.Entry<Path, List<double[]>> model : results.entrySet()) {
            double[] rowsPerSecond = model.getValue().stream().mapToDouble(r -> r[0]).toArray();
            double[] p50 = model.getValue().stream().mapToDouble(r -> r[1]).toArray();
            System.out.printf(Locale.ROOT, "speed cell=\"%s\" callers=%d threads=%d model=%s rows_per_s=%.1f "
                    + "p50_ms=%.3f (medians of %d rounds)%n", cell, callers, threads, model.getKey(),
                    Percentiles.of(rowsPerSecond, 50), Percentiles.of(p50, 50), rounds);
        }
    }
}
