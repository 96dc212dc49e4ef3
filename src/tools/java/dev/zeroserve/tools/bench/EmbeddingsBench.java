package dev.zeroserve.tools.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.DirectEmbeddings;
import dev.zeroserve.testing.Sentences;

/**
 * Embeddings per second and latency of a running Zeroserve's /v1/embeddings, one English sentence per request, for a
 * short (about 12 tokens) and a long (about 120 tokens) sentence, beside the same sentence tokenized, run through
 * ONNX Runtime and mean-pooled in this process, unbatched, with the same number of concurrent callers. Each request
 * carries one text, so requests per second are embeddings per second.
 *
 * <p>Options: {@code --url http://localhost:8080 --seconds 5 --warmup 3 --concurrency 1,16
 * --csv target/bench/embeddings.csv}. Run it with
 * {@code ./mvnw -Pbench test-compile exec:java -Dexec.mainClass=dev.zeroserve.tools.bench.EmbeddingsBench -Dexec.args=...}.
 */
public final class EmbeddingsBench {
    private static final String SERVICE = "openai-embeddings";
    private static final String MODEL = "all-minilm-l6-v2";

    private EmbeddingsBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ProtocolBench.options(args);
        String url = options.getOrDefault("url", "http://localhost:8080");
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "5"));
        double warmup = Double.parseDouble(options.getOrDefault("warmup", "3"));
        int[] concurrencies = ProtocolBench.ints(options.getOrDefault("concurrency", "1,16"));
        Path csv = Path.of(options.getOrDefault("csv", "target/bench/embeddings.csv"));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ObjectMapper mapper = new ObjectMapper();
        List<ProtocolBench.Result> results = new ArrayList<>();
        try (DirectEmbeddings direct = new DirectEmbeddings()) {
            for (String sentence : List.of(Sentences.SHORT, Sentences.LONG)) {
                int tokens = direct.tokenIds(sentence).length;
                ProtocolBench.Client raw = () -> direct.embed(sentence);
                HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/embeddings"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(mapper.createObjectNode().put("model", MODEL)
                                .put("input", sentence).toString()))
                        .build();
                ProtocolBench.Client service = () -> ProtocolBench.expectOk(http.send(request,
                        HttpResponse.BodyHandlers.ofByteArray()));
                ProtocolBench.timed(8, warmup, raw);
                ProtocolBench.timed(8, warmup, service);
                for (int concurrency : concurrencies) {
                    results.add(ProtocolBench.run(tokens, ProtocolBench.RAW, concurrency, seconds, raw));
                    results.add(ProtocolBench.run(tokens, SERVICE, concurrency, seconds, service));
                }
            }
        }
        ProtocolBench.print(results);
        ProtocolBench.write(csv, results);
    }
}
