package dev.zeroserve.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;

/**
 * Open-loop overload: requests at four times the best gRPC throughput measured, for a fixed time, whatever the
 * answers. Reports what was admitted and how fast, what was refused and how fast, the server's memory, and whether
 * it answers normally the moment the load stops.
 */
final class Overload {
    private static final double SECONDS = 10;

    private Overload() {
    }

    static void run(ManagedChannel channel, ModelInferRequest request, List<ProtocolBench.Result> results, String pid)
            throws Exception {
        double sustainable = results.stream().filter(r -> r.protocol().equals("grpc") && r.tokens() == 16)
                .mapToDouble(ProtocolBench.Result::throughput).max().orElse(100);
        double rate = 4 * sustainable;
        GRPCInferenceServiceGrpc.GRPCInferenceServiceFutureStub stub = GRPCInferenceServiceGrpc.newFutureStub(channel);
        List<Double> admitted = Collections.synchronizedList(new ArrayList<>());
        List<Double> refused = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger otherFailures = new AtomicInteger();
        long rssBefore = rss(pid);
        long rssMax = rssBefore;
        int total = (int) (rate * SECONDS);
        CountDownLatch done = new CountDownLatch(total);
        long start = System.nanoTime();
        long intervalNanos = (long) (1e9 / rate);
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            long sent = System.nanoTime();
            Futures.addCallback(stub.modelInfer(request), new FutureCallback<ModelInferResponse>() {
                @Override
                public void onSuccess(ModelInferResponse response) {
                    admitted.add((System.nanoTime() - sent) / 1e6);
                    done.countDown();
                }

                @Override
                public void onFailure(Throwable failure) {
                    if (Status.fromThrowable(failure).getCode() == Status.Code.UNAVAILABLE) {
                        refused.add((System.nanoTime() - sent) / 1e6);
                    } else {
                        otherFailures.incrementAndGet();
                    }
                    done.countDown();
                }
            }, MoreExecutors.directExecutor());
            if (i % 200 == 0) {
                rssMax = Math.max(rssMax, rss(pid));
            }
        }
        done.await(60, TimeUnit.SECONDS);
        long rssAfter = rss(pid);
        double[] admittedMillis = admitted.stream().mapToDouble(Double::doubleValue).toArray();
        double[] refusedMillis = refused.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.println();
        System.out.printf(Locale.ROOT, "overload: %d gRPC requests at %.0f/s (4 x %.0f/s sustained) for %.0f s%n",
                total, rate, sustainable, SECONDS);
        System.out.printf(Locale.ROOT, "  admitted %d (%.0f/s): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                admittedMillis.length, admittedMillis.length / SECONDS, Percentiles.of(admittedMillis, 50),
                Percentiles.of(admittedMillis, 99), Percentiles.of(admittedMillis, 100));
        System.out.printf(Locale.ROOT, "  refused (UNAVAILABLE) %d: p50 %.2f ms, p99 %.2f ms; other failures %d%n",
                refusedMillis.length, Percentiles.of(refusedMillis, 50), Percentiles.of(refusedMillis, 99),
                otherFailures.get());
        if (pid != null) {
            System.out.printf(Locale.ROOT, "  server RSS: before %d MiB, max during %d MiB, after %d MiB%n",
                    rssBefore >> 10, rssMax >> 10, rssAfter >> 10);
        }
        ProtocolBench.Result recovery = ProtocolBench.run(16, "grpc-after-load", 1, 2,
                () -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request));
        System.out.printf(Locale.ROOT, "  right after: c=1 p50 %.2f ms, %d requests, all answered%n",
                recovery.percentile(50), recovery.requests());
    }

    /** Resident memory of the server in KiB, or 0 without a pid. */
    private static long rss(String pid) throws IOException {
        if (pid == null) {
            return 0;
        }
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
