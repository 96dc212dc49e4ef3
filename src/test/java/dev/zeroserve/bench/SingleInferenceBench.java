package dev.zeroserve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.DirectOnnxRuntime;

/**
 * Latency of one 16-token inference of the bundled model over REST/JSON against a running server, beside the same
 * inference made in this process with ONNX Runtime directly. Sequential requests, one at a time.
 *
 * <p>Usage: {@code SingleInferenceBench [baseUrl] [iterations]}, default http://localhost:8080 and 300.
 */
public final class SingleInferenceBench {
    static final long[] TOKENS = DirectOnnxRuntime.TOKENS_16;

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8080";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 300;

        double[] raw = rawOnnxRuntime(iterations);
        double[] rest = restJson(base, iterations);
        System.out.printf("16 tokens, %d sequential inferences each%n", iterations);
        report("raw ONNX Runtime in-process", raw);
        report("REST JSON (v2 infer)", rest);
        System.out.printf("ratio REST/raw p50: %.2f, overhead p50: %.3f ms%n", percentile(rest, 50) / percentile(raw, 50),
                percentile(rest, 50) - percentile(raw, 50));
    }

    static double[] rawOnnxRuntime(int iterations) throws Exception {
        double[] millis = new double[iterations];
        try (OrtSession session = DirectOnnxRuntime.openBundledModel()) {
            for (int i = -50; i < iterations; i++) {
                long start = System.nanoTime();
                DirectOnnxRuntime.lastHiddenState(session, TOKENS);
                if (i >= 0) {
                    millis[i] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        return millis;
    }

    static double[] restJson(String base, int iterations) throws Exception {
        StringBuilder body = new StringBuilder("{\"inputs\":[");
        String[] names = { "input_ids", "attention_mask", "token_type_ids" };
        for (int n = 0; n < names.length; n++) {
            body.append(n > 0 ? "," : "").append("{\"name\":\"").append(names[n])
                    .append("\",\"datatype\":\"INT64\",\"shape\":[1,16],\"data\":[");
            for (int i = 0; i < TOKENS.length; i++) {
                body.append(i > 0 ? "," : "").append(n == 0 ? TOKENS[i] : n == 1 ? 1 : 0);
            }
            body.append("]}");
        }
        body.append("]}");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v2/models/all-minilm-l6-v2/infer"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        double[] millis = new double[iterations];
        for (int i = -50; i < iterations; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + response.statusCode() + ": " + new String(response.body()));
            }
            if (i >= 0) {
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        return millis;
    }

    static void report(String label, double[] millis) {
        System.out.printf("%-30s p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms%n", label, percentile(millis, 50),
                percentile(millis, 90), percentile(millis, 99));
    }

    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
