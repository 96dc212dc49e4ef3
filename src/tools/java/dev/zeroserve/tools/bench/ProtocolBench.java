package dev.zeroserve.tools.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;


import ai.onnxruntime.OrtSession;
import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.DirectOnnxRuntime;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/**
 * Drives a running Zeroserve with concurrent clients over REST JSON, REST binary tensors and gRPC raw contents for
 * the bundled model, beside ONNX Runtime called in this process with the same inputs, and prints throughput and
 * latency percentiles with their ratios to the in-process figure. Each cell runs closed-loop clients for a fixed time.
 *
 * <p>It also measures ONNX Runtime in-process on batches of 1 to 64 copies (rows per second, the best batch size),
 * checks the batching goals, and with {@code --overload true} drives gRPC open-loop at four times the throughput it
 * sustained, reporting admitted latency, refusals, the server's memory ({@code --pid}) and recovery.
 *
 * <p>Options: {@code --url http://localhost:8080 --seconds 5 --warmup 5 --tokens 16,128 --concurrency 1,4,16,64
 * --protocols json,binary,grpc --csv target/bench/protocols.csv --overload true --pid <server pid>}.
 * The chart of latency against throughput is written beside the CSV as an SVG.
 */
public final class ProtocolBench {
    static final String RAW = "raw-onnxruntime";
    private static final int WARMUP_CONCURRENCY = 8;

    /** One measured cell. */
    record Result(int tokens, String protocol, int concurrency, long requests, double seconds, double[] millis) {
        double throughput() {
            return requests / seconds;
        }

        double percentile(double p) {
            return Percentiles.of(millis, p);
        }
    }

    interface Client {
        void call() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String url = options.getOrDefault("url", "http://localhost:8080");
        double seconds = Double.parseDouble(options.getOrDefault("seconds", "5"));
        double warmup = Double.parseDouble(options.getOrDefault("warmup", "5"));
        int[] tokenCounts = ints(options.getOrDefault("tokens", "16,128"));
        int[] concurrencies = ints(options.getOrDefault("concurrency", "1,4,16,64"));
        List<String> protocols = List.of(options.getOrDefault("protocols", "json,binary,grpc").split(","));
        Path csv = Path.of(options.getOrDefault("csv", "target/bench/protocols.csv"));

        List<Result> results = new ArrayList<>();
        Map<Integer, double[]> rawBatched = new LinkedHashMap<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create(url);
        ManagedChannel channel = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                .maxInboundMessageSize(64 << 20).build();
        try (OrtSession session = DirectOnnxRuntime.openBundledModel()) {
            for (int tokens : tokenCounts) {
                long[] ids = BundledModelRequests.tokenIds(tokens);
                rawBatched.put(tokens, rawBatchedThroughput(session, ids, seconds / 2));
                for (int concurrency : concurrencies) {
                    results.add(run(tokens, RAW, concurrency, seconds,
                            () -> DirectOnnxRuntime.lastHiddenState(session, ids)));
                }
                for (String protocol : protocols) {
                    Client client = client(protocol, ids, url, http, channel);
                    // Each path runs hot before it is measured: the JIT compiles the server's code per protocol.
                    timed(WARMUP_CONCURRENCY, warmup, client);
                    for (int concurrency : concurrencies) {
                        results.add(run(tokens, protocol, concurrency, seconds, client));
                    }
                }
            }
            print(results);
            write(csv, results);
            Charts.latencyAgainstThroughput(results, csv.resolveSibling(csv.getFileName().toString()
                    .replaceFirst("\\.csv$", "") + ".svg"));
            goals(results, rawBatched);
            if (Boolean.parseBoolean(options.getOrDefault("overload", "false"))) {
                Overload.run(channel, BundledModelRequests.grpc(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16))), results, options.get("pid"));
            }
        } finally {
            channel.shutdownNow();
        }
    }

    /** Rows per second of one in-process caller at batch sizes 1..64; returns {batch size, rows/s} of the best. */
    private static double[] rawBatchedThroughput(OrtSession session, long[] ids, double seconds) throws Exception {
        double[] best = { 1, 0 };
        for (int rows = 1; rows <= 64; rows *= 2) {
            int batch = rows;
            Result result = run(ids.length, "raw-batch-" + batch, 1, seconds,
                    () -> DirectOnnxRuntime.lastHiddenState(session, ids, batch));
            double rowsPerSecond = result.throughput() * batch;
            System.out.printf(Locale.ROOT, "%4d tokens  raw batch %-3d %10.1f rows/s%n", ids.length, batch,
                    rowsPerSecond);
            if (rowsPerSecond > best[1]) {
                best = new double[] { batch, rowsPerSecond };
            }
        }
        return best;
    }

    /** The batching goals of the 16-token gRPC figures, as measured ratios. */
    private static void goals(List<Result> results, Map<Integer, double[]> rawBatched) {
        double[] best = rawBatched.get(16);
        Result raw1 = find(results, 16, RAW, 1);
        Result grpc16 = find(results, 16, "grpc", 16);
        Result grpc1 = find(results, 16, "grpc", 1);
        Result raw16 = find(results, 16, RAW, 16);
        if (best == null || raw1 == null || grpc16 == null || grpc1 == null || raw16 == null) {
            return;
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "raw in-process best batch: %d rows, %.1f rows/s; unbatched: %.1f/s (c=1), "
                + "%.1f/s (c=16)%n", (int) best[0], best[1], raw1.throughput(), raw16.throughput());
        System.out.printf(Locale.ROOT, "goal c=16 gRPC >= 0.9 x best raw batched: %.1f / %.1f = %.2f%n",
                grpc16.throughput(), best[1], grpc16.throughput() / best[1]);
        double unbatched = Math.max(raw1.throughput(), raw16.throughput());
        System.out.printf(Locale.ROOT, "goal c=16 gRPC >= 1.3 x raw unbatched:     %.1f / %.1f = %.2f%n",
                grpc16.throughput(), unbatched, grpc16.throughput() / unbatched);
        System.out.printf(Locale.ROOT, "goal c=1 gRPC p50 <= raw p50 + 1 ms:       %.3f ms vs %.3f ms (+%.3f ms)%n",
                grpc1.percentile(50), raw1.percentile(50), grpc1.percentile(50) - raw1.percentile(50));
    }

    static Result find(List<Result> results, int tokens, String protocol, int concurrency) {
        return results.stream().filter(r -> r.tokens() == tokens && r.protocol().equals(protocol)
                && r.concurrency() == concurrency).findFirst().orElse(null);
    }

    private static Client client(String protocol, long[] ids, String url, HttpClient http, ManagedChannel channel) {
        URI infer = URI.create(url + "/v2/models/" + BundledModelRequests.MODEL + "/infer");
        long[][] values = BundledModelRequests.valuesFor(ids);
        return switch (protocol) {
            case "json" -> {
                HttpRequest request = HttpRequest.newBuilder(infer).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(BundledModelRequests.json(values))).build();
                yield () -> expectOk(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
            }
            case "binary" -> {
                byte[] json = BundledModelRequests.binaryHeader(ids.length).getBytes(StandardCharsets.UTF_8);
                byte[] body = concat(json, BundledModelRequests.int64s(values[0]), BundledModelRequests.int64s(values[1]), BundledModelRequests.int64s(values[2]));
                HttpRequest request = HttpRequest.newBuilder(infer)
                        .header("Inference-Header-Content-Length", Integer.toString(json.length))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                yield () -> expectOk(http.send(request, HttpResponse.BodyHandlers.ofByteArray()));
            }
            case "grpc" -> {
                ModelInferRequest request = BundledModelRequests.grpc(values);
                GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub =
                        GRPCInferenceServiceGrpc.newBlockingStub(channel);
                yield () -> stub.modelInfer(request);
            }
            default -> throw new IllegalArgumentException("unknown protocol " + protocol);
        };
    }

    /** Closed loop: each of {@code concurrency} clients sends its next request when the last one is answered. */
    static Result run(int tokens, String protocol, int concurrency, double seconds, Client client)
            throws Exception {
        timed(concurrency, Math.min(1.0, seconds / 3), client);
        ClosedLoop loop = closedLoop(concurrency, seconds, client);
        Result result = new Result(tokens, protocol, concurrency, loop.millis().length, loop.seconds(), loop.millis());
        System.out.printf(Locale.ROOT, "%4d tokens  %-16s c=%-3d %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms%n",
                tokens, protocol, concurrency, result.throughput(), result.percentile(50), result.percentile(99));
        return result;
    }

    /** Every call's milliseconds in one closed-loop run, all clients together, and how long the run took. */
    record ClosedLoop(double[] millis, double seconds) {
        double callsPerSecond() {
            return millis.length / seconds;
        }
    }

    static ClosedLoop closedLoop(int concurrency, double seconds, Client client) throws Exception {
        long start = System.nanoTime();
        double[] millis = timed(concurrency, seconds, client).stream().flatMapToDouble(Arrays::stream).toArray();
        return new ClosedLoop(millis, (System.nanoTime() - start) / 1e9);
    }

    static List<double[]> timed(int concurrency, double seconds, Client client) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                Callable<double[]> loop = () -> {
                    double[] millis = new double[1024];
                    int count = 0;
                    while (System.nanoTime() < end) {
                        long begin = System.nanoTime();
                        client.call();
                        if (count == millis.length) {
                            millis = Arrays.copyOf(millis, count * 2);
                        }
                        millis[count++] = (System.nanoTime() - begin) / 1e6;
                    }
                    return Arrays.copyOf(millis, count);
                };
                futures.add(pool.submit(loop));
            }
            List<double[]> results = new ArrayList<>();
            for (Future<double[]> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static void print(List<Result> results) {
        System.out.println();
        System.out.println("tokens protocol          conc     req/s    p50 ms    p90 ms    p99 ms  thr/raw  p50/raw");
        for (Result r : results) {
            Result raw = results.stream().filter(x -> x.tokens() == r.tokens() && x.concurrency() == r.concurrency()
                    && x.protocol().equals(RAW)).findFirst().orElse(r);
            System.out.printf(Locale.ROOT, "%6d %-16s %5d %9.1f %9.3f %9.3f %9.3f %8.2f %8.2f%n", r.tokens(),
                    r.protocol(), r.concurrency(), r.throughput(), r.percentile(50), r.percentile(90),
                    r.percentile(99), r.throughput() / raw.throughput(), r.percentile(50) / raw.percentile(50));
        }
    }

    static void write(Path csv, List<Result> results) throws IOException {
        Files.createDirectories(csv.toAbsolutePath().getParent());
        StringBuilder text = new StringBuilder("tokens,protocol,concurrency,requests,seconds,throughput,p50_ms,p90_ms,"
                + "p99_ms\n");
        for (Result r : results) {
            text.append(String.format(Locale.ROOT, "%d,%s,%d,%d,%.3f,%.2f,%.3f,%.3f,%.3f%n", r.tokens(), r.protocol(),
                    r.concurrency(), r.requests(), r.seconds(), r.throughput(), r.percentile(50), r.percentile(90),
                    r.percentile(99)));
        }
        Files.writeString(csv, text);
        System.out.println("wrote " + csv);
    }

    static void expectOk(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    private static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) {
            size += part.length;
        }
        byte[] all = new byte[size];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        return all;
    }

    static int[] ints(String list) {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value pairs, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }
}
