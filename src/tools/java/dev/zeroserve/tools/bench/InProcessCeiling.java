package dev.zeroserve.tools.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.DirectEmbeddings;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.Sentences;

/**
 * The in-process ceilings for the bundled model, with no server in between, measured by closed-loop callers in the
 * two layouts a machine of N cores ({@link Runtime#availableProcessors()}, a container's CPU limit included) allows —
 * one caller whose calls use N intra-op threads (spinning on, ONNX Runtime's default), and N callers of one thread
 * each — at each batch size:
 * <ul>
 * <li>{@code tensor}: ONNX Runtime alone on batches of copies of one sequence of {@code tokens} ids (the v2
 * protocols' ceiling);
 * <li>{@code embeddings}: the whole text pipeline of {@link DirectEmbeddings} on copies of {@link Sentences#SHORT},
 * the text {@code load-bench.sh} sends: tokenizer, ONNX Runtime, mean pooling and normalisation (the ceiling of
 * {@code /v1/embeddings}).
 * </ul>
 * Batch 1 with one caller is the single-request figure (calls/s and p50); the best rows/s over a pipeline's cells is
 * the ceiling a server's throughput is a ratio to. {@code src/tools/scripts/load-bench.sh} runs it before it starts the
 * servers, so nothing else competes for the cores.
 *
 * <p>Prints one line per cell, {@code ceiling pipeline=tensor tokens=16 batch=8 callers=2 threads=1 calls_per_s=...
 * rows_per_s=... p50_ms=... p99_ms=...}. Options: {@code --seconds 10 --warmup 1} (before each cell) {@code --tokens 16
 * --batches 1,8,32}, and {@code --model FILE}: every cell on another file with the bundled model's inputs, output and
 * tokenizer (the fp32 all-MiniLM-L6-v2, or a rewrite such as {@code src/tools/scripts/perrow-quantize.py} makes).
 */
public final class InProcessCeiling {
    private InProcessCeiling() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ProtocolBench.options(args);
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(options.getOrDefault("warmup", "1"));
        int tokens = Integer.parseInt(options.getOrDefault("tokens", "16"));
        int[] batches = ProtocolBench.ints(options.getOrDefault("batches", "1,8,32"));
        int cores = Runtime.getRuntime().availableProcessors();
        long[] ids = BundledModelRequests.tokenIds(tokens);

        String model = options.get("model");
        try (OrtSession wide = model == null ? DirectOnnxRuntime.openBundledModel(cores)
                : DirectOnnxRuntime.openModel(Path.of(model), cores);
                OrtSession narrow = model == null ? DirectOnnxRuntime.openBundledModel(1)
                        : DirectOnnxRuntime.openModel(Path.of(model), 1)) {
            for (int batch : batches) {
                Cell cell = new Cell("tensor", tokens, batch, cores, seconds);
                cell.measure(1, () -> DirectOnnxRuntime.lastHiddenState(wide, ids, batch), warmup);
                cell.measure(cores, () -> DirectOnnxRuntime.lastHiddenState(narrow, ids, batch), warmup);
            }
        }
        try (DirectEmbeddings wide = model == null ? new DirectEmbeddings(cores)
                : new DirectEmbeddings(Path.of(model), cores);
                DirectEmbeddings narrow = model == null ? new DirectEmbeddings(1)
                        : new DirectEmbeddings(Path.of(model), 1)) {
            int textTokens = wide.tokenIds(Sentences.SHORT).length;
            for (int batch : batches) {
                List<String> texts = Collections.nCopies(batch, Sentences.SHORT);
                Cell cell = new Cell("embeddings", textTokens, batch, cores, seconds);
                cell.measure(1, () -> wide.embedTexts(texts), warmup);
                cell.measure(cores, () -> narrow.embedTexts(texts), warmup);
            }
        }
    }

    /** One pipeline at one batch size; {@code callers} 1 runs on all cores, more on one thread each. */
    private record Cell(String pipeline, int tokens, int batch, int cores, double seconds) {
        void measure(int callers, ProtocolBench.Client call, double warmup) throws Exception {
            if (callers > 1 && cores == 1) {
                return; // one core: the two layouts are the same
            }
            // The JIT and ONNX Runtime's first runs (allocations, thread pool start) before anything is measured.
            ProtocolBench.timed(callers, warmup, call);
            ProtocolBench.ClosedLoop loop = ProtocolBench.closedLoop(callers, seconds, call);
            double calls = loop.callsPerSecond();
            System.out.printf(Locale.ROOT, "ceiling pipeline=%s tokens=%d batch=%d callers=%d threads=%d "
                    + "calls_per_s=%.1f rows_per_s=%.1f p50_ms=%.3f p99_ms=%.3f%n", pipeline, tokens, batch, callers,
                    callers == 1 ? cores : 1, calls, calls * batch, Percentiles.of(loop.millis(), 50),
                    Percentiles.of(loop.millis(), 99));
        }
    }
}
