package dev.zeroserve.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.engine.RunObserver;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.model.ModelMetadata;
import dev.zeroserve.model.TensorSpec;

class DynamicBatcherTest {
    private static final ModelMetadata BATCHED = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
            List.of(new TensorSpec("x", DataType.FP32, new long[] { -1, -1 })),
            List.of(new TensorSpec("y", DataType.FP32, new long[] { -1, -1 })), Map.of());
    private static final ModelMetadata UNBATCHED = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
            List.of(new TensorSpec("x", DataType.FP32, new long[] { 2, -1 })),
            List.of(new TensorSpec("y", DataType.FP32, new long[] { 2, -1 })), Map.of());
    private static final long LONG_AGO = 60_000_000_000L;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<DynamicBatcher> batchers = new ArrayList<>();

    /** An identity model that records each call's input shape, optionally held until released. */
    private static final class FakeEngine implements DynamicBatcher.Engine {
        final List<long[]> calls = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile CountDownLatch started = new CountDownLatch(1);

        @Override
        public List<Tensor> run(List<Tensor> inputs, List<String> outputs, RunObserver observer) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            calls.add(inputs.get(0).shape());
            started.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
                Tensor x = inputs.get(0);
                if (x.data().getFloat(0) < 0) {
                    throw new InferenceException(Status.INTERNAL, "this batch fails");
                }
                return List.of(x.withName("y"));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        }
    }

    private DynamicBatcher batcher(ModelMetadata metadata, FakeEngine engine, int maxBatch, long delayMillis,
            int capacity, int parallel) {
        DynamicBatcher batcher = new DynamicBatcher(metadata, engine, new DynamicBatcher.Settings(maxBatch,
                TimeUnit.MILLISECONDS.toNanos(delayMillis), capacity, parallel), timers,
                new DynamicBatcher.BatchObserver() {
                    @Override
                    public void queued(long waitedNanos) {
                    }

                    @Override
                    public void batchStarted(int requests, long rows) {
                    }
                });
        batchers.add(batcher);
        return batcher;
    }

    @AfterEach
    void close() {
        batchers.forEach(DynamicBatcher::close);
        timers.shutdownNow();
    }

    /** rows x cols floats, each row filled with {@code value + row}. */
    private static List<Tensor> input(int rows, int cols, float value) {
        ByteBuffer data = Tensor.allocate((long) rows * cols * 4);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                data.putFloat(value + r);
            }
        }
        return List.of(Tensor.of("x", DataType.FP32, new long[] { rows, cols }, data.flip()));
    }

    private static long later() {
        return System.nanoTime() + LONG_AGO;
    }

    private CompletableFuture<List<Tensor>> submit(DynamicBatcher batcher, int rows, int cols, float value) {
        return batcher.submit(input(rows, cols, value), List.of("y"), later());
    }

    /** Holds the single worker on a first request so that the next ones queue up behind it. */
    private CompletableFuture<List<Tensor>> occupy(DynamicBatcher batcher, FakeEngine engine) throws Exception {
        engine.gate = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> first = submit(batcher, 1, 2, 100);
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    @Test
    void queuedRequestsWithMatchingShapesShareOneCallAndGetTheirOwnRows() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 16, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, engine);
        List<CompletableFuture<List<Tensor>>> same = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            same.add(submit(batcher, 2, 2, 10 * i));
        }
        CompletableFuture<List<Tensor>> otherShape = submit(batcher, 1, 3, 7);
        engine.gate.countDown();

        first.get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            Tensor y = same.get(i).get(5, TimeUnit.SECONDS).get(0);
            assertThat(y.shape()).containsExactly(2, 2);
            assertThat(y.data().getFloat(0)).isEqualTo(10f * i);
            assertThat(y.data().getFloat(8)).isEqualTo(10f * i + 1);
        }
        assertThat(otherShape.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 3);
        assertThat(engine.calls).extracting(shape -> shape[0] + "x" + shape[1])
                .containsExactly("1x2", "6x2", "1x3");
    }

    @Test
    void batchesStopAtTheMaximumSizeAndBiggerRequestsRunAlone() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 4, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, engine);
        List<CompletableFuture<List<Tensor>>> ones = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ones.add(submit(batcher, 1, 2, i));
        }
        CompletableFuture<List<Tensor>> big = submit(batcher, 9, 2, 50);
        engine.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<List<Tensor>> one : ones) {
            one.get(5, TimeUnit.SECONDS);
        }
        assertThat(big.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(9, 2);
        assertThat(engine.calls).extracting(shape -> shape[0]).containsExactly(1L, 4L, 2L, 9L);
    }

    @Test
    void theQueueDelayLetsABatchFillAndALoneRequestRunsWhenItEnds() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 8, 300, 64, 1);
        long start = System.nanoTime();
        CompletableFuture<List<Tensor>> a = submit(batcher, 1, 2, 1);
        Thread.sleep(20);
        CompletableFuture<List<Tensor>> b = submit(batcher, 1, 2, 2);
        a.get(5, TimeUnit.SECONDS);
        b.get(5, TimeUnit.SECONDS);
        assertThat(engine.calls).extracting(shape -> shape[0]).containsExactly(2L);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));

        DynamicBatcher immediate = batcher(BATCHED, new FakeEngine(), 8, 0, 64, 1);
        long lone = System.nanoTime();
        submit(immediate, 1, 2, 1).get(5, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - lone).isLessThan(TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void aRequestWhoseDeadlinePassesWhileQueuedFailsThenAndNeverRuns() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 8, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, engine);
        CompletableFuture<List<Tensor>> late = batcher.submit(input(1, 3, 5), List.of("y"),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
        assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.DEADLINE_EXCEEDED));
        assertThat(first.isDone()).as("it failed while the worker was still busy").isFalse();
        engine.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        assertThat(engine.calls).hasSize(1);
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 8, 0, 2, 1);
        occupy(batcher, engine);
        submit(batcher, 1, 3, 1);
        submit(batcher, 1, 4, 1);
        assertThat(batcher.queueDepth()).isEqualTo(2);
        assertThatThrownBy(() -> submit(batcher, 1, 5, 1)).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.status()).isEqualTo(Status.UNAVAILABLE);
            assertThat(e.retryAfterSeconds()).isPositive();
            assertThat(e.getMessage()).contains("queue is full");
        });
        engine.gate.countDown();
    }

    @Test
    void drainingRefusesNewRequestsAndAnswersEveryAdmittedOne() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 2, 60_000, 8, 1);
        engine.gate = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> running = submit(batcher, 2, 2, 100); // a full batch: runs at once
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<List<Tensor>>> queued = List.of(submit(batcher, 1, 3, 1), submit(batcher, 1, 3, 2),
                submit(batcher, 1, 4, 3));
        batcher.stopAdmitting();
        assertThatThrownBy(() -> submit(batcher, 1, 3, 4)).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.status()).isEqualTo(Status.UNAVAILABLE);
            assertThat(e.getMessage()).contains("shutting down");
        });
        assertThat(batcher.inFlight()).isEqualTo(4);
        engine.gate.countDown();
        // Queued requests run without waiting out the 60 s queue delay, and each gets its own rows.
        assertThat(running.get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(100f);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(i + 1f);
        }
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void noMoreBatchesRunAtOnceThanConfigured() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.gate = new CountDownLatch(1);
        DynamicBatcher batcher = batcher(UNBATCHED, engine, 8, 0, 64, 2);
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(submit(batcher, 2, 1 + i, i));
        }
        Thread.sleep(200);
        assertThat(engine.running.get()).isEqualTo(2);
        engine.gate.countDown();
        for (CompletableFuture<List<Tensor>> future : all) {
            future.get(5, TimeUnit.SECONDS);
        }
        assertThat(engine.maxRunning.get()).isEqualTo(2);
        assertThat(engine.calls).hasSize(6);
    }

    @Test
    void aModelWithoutABatchDimensionRunsEachRequestAlone() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(UNBATCHED, engine, 8, 0, 64, 1);
        assertThat(batcher.batchable()).isFalse();
        CompletableFuture<List<Tensor>> first = occupy(batcher, engine);
        CompletableFuture<List<Tensor>> a = submit(batcher, 2, 2, 1);
        CompletableFuture<List<Tensor>> b = submit(batcher, 2, 2, 2);
        engine.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        a.get(5, TimeUnit.SECONDS);
        b.get(5, TimeUnit.SECONDS);
        assertThat(engine.calls).extracting(shape -> shape[0]).containsExactly(1L, 2L, 2L);
    }

    @Test
    void aFailingBatchFailsOnlyItsOwnRequests() throws Exception {
        FakeEngine engine = new FakeEngine();
        DynamicBatcher batcher = batcher(BATCHED, engine, 8, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, engine);
        CompletableFuture<List<Tensor>> doomedA = submit(batcher, 1, 2, -5);
        CompletableFuture<List<Tensor>> doomedB = submit(batcher, 1, 2, 3);
        CompletableFuture<List<Tensor>> fine = submit(batcher, 1, 3, 3);
        engine.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> doomedA.get(5, TimeUnit.SECONDS)).hasMessageContaining("this batch fails");
        assertThatThrownBy(() -> doomedB.get(5, TimeUnit.SECONDS)).hasMessageContaining("this batch fails");
        assertThat(fine.get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(3f);
        assertThat(batcher.inFlight()).isZero();
    }
}
