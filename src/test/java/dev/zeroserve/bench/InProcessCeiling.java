package dev.zeroserve.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.DirectOnnxRuntime;

/**
 * The in-process ONNX Runtime ceiling for the bundled model, with no server in between: one session opened as
 * {@link DirectOnnxRuntime} does (default options), called by closed-loop callers with batches of copies of one
 * sequence of {@code tokens} ids. Batch 1 with one caller is the single-request figure (calls/s and p50); the others
 * give the rows per second that batching and parallel callers reach. {@code src/test/scripts/load-bench.sh} runs it
 * before it starts the servers, so nothing else competes for the cores.
 *
 * <p>Prints one line per cell, {@code ceiling tokens=16 batch=8 callers=2 calls_per_s=... rows_per_s=... p50_ms=...
 * p99_ms=...}. Options: {@code --seconds 10 --warmup 3 --tokens 16 --batches 1,8,32 --callers 1,2}.
 */
public final class InProcessCeiling {
    private InProcessCeiling() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ProtocolBench.options(args);
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(options.getOrDefault("warmup", "3"));
        int tokens = Integer.parseInt(options.getOrDefault("tokens", "16"));
        int[] batches = ProtocolBench.ints(options.getOrDefault("batches", "1,8,32"));
        int[] callers = ProtocolBench.ints(options.getOrDefault("callers", "1,2"));
        long[] ids = BundledModelRequests.tokenIds(tokens);

        try (OrtSession session = DirectOnnxRuntime.openBundledModel()) {
            // The JIT and ONNX Runtime's first runs (allocations, thread pool start) before anything is measured.
            ProtocolBench.timed(2, warmup, () -> DirectOnnxRuntime.lastHiddenState(session, ids, 8));
            for (int batch : batches) {
                for (int callerCount : callers) {
                    ProtocolBench.Client call = () -> DirectOnnxRuntime.lastHiddenState(session, ids, batch);
                    ProtocolBench.timed(callerCount, Math.min(1.0, seconds / 5), call);
                    long start = System.nanoTime();
                    List<double[]> perCaller = ProtocolBench.timed(callerCount, seconds, call);
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double[] millis = perCaller.stream().flatMapToDouble(Arrays::stream).toArray();
                    double calls = millis.length / elapsed;
                    System.out.printf(Locale.ROOT, "ceiling tokens=%d batch=%d callers=%d calls_per_s=%.1f "
                            + "rows_per_s=%.1f p50_ms=%.3f p99_ms=%.3f%n", tokens, batch, callerCount, calls,
                            calls * batch, Percentiles.of(millis, 50), Percentiles.of(millis, 99));
                }
            }
        }
    }
}
