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
import dev.zeroserve.inference.SequencePadding;
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

    private DynamicBatcher batcher(ModelMetadata metadata, DynamicBatcher.Engine engine, int maxBatch, long delayMillis,
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
            assertThat(e.getMessage()).contains("admits no new requests");
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

    private static final ModelMetadata TOKENS = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
            List.of(new TensorSpec("ids", DataType.INT64, new long[] { -1, -1 }),
                    new TensorSpec("mask", DataType.INT64, new long[] { -1, -1 })),
            List.of(new TensorSpec("y", DataType.INT64, new long[] { -1, -1 })), Map.of());
    private static final SequencePadding PAD_IDS_WITH_7 = new SequencePadding(Map.of("ids", 7L, "mask", 0L));

    /** Returns its ids as the output, and keeps every call's inputs; holds the first call until released. */
    private static final class TokenEngine implements DynamicBatcher.Engine {
        final List<List<Tensor>> calls = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public List<Tensor> run(List<Tensor> inputs, List<String> outputs, RunObserver observer) {
            calls.add(inputs);
            started.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return List.of(inputs.get(0).withName("y"));
        }
    }

    /** rows x length token ids {@code first, first + 1, ...} row after row, and a mask of ones. */
    private static List<Tensor> tokens(int rows, int length, long first) {
        ByteBuffer ids = Tensor.allocate((long) rows * length * 8);
        ByteBuffer mask = Tensor.allocate((long) rows * length * 8);
        for (int i = 0; i < rows * length; i++) {
            ids.putLong(first + i);
            mask.putLong(1);
        }
        long[] shape = { rows, length };
        return List.of(Tensor.of("ids", DataType.INT64, shape, ids.flip()),
                Tensor.of("mask", DataType.INT64, shape, mask.flip()));
    }

    private static CompletableFuture<List<Tensor>> submitTokens(DynamicBatcher batcher, int rows, int length,
            long first, SequencePadding padding) {
        return batcher.submitAll(List.of(new DynamicBatcher.Work(tokens(rows, length, first), List.of("y"),
                padding)), later()).get(0);
    }

    private static long[] longs(Tensor tensor) {
        long[] values = new long[(int) tensor.elementCount()];
        tensor.data().asLongBuffer().get(values);
        return values;
    }

    @Test
    void sequencesOfOneLengthBucketShareACallPaddedToTheLongestWithTheirMasksZeroed() throws Exception {
        TokenEngine engine = new TokenEngine();
        DynamicBatcher batcher = tokenBatcher(engine, 64);
        CompletableFuture<List<Tensor>> first = occupyTokens(batcher, engine, 2);
        CompletableFuture<List<Tensor>> a = submitTokens(batcher, 1, 3, 100, PAD_IDS_WITH_7);
        CompletableFuture<List<Tensor>> b = submitTokens(batcher, 2, 5, 200, PAD_IDS_WITH_7);
        CompletableFuture<List<Tensor>> longer = submitTokens(batcher, 1, 20, 300, PAD_IDS_WITH_7);
        CompletableFuture<List<Tensor>> c = submitTokens(batcher, 1, 12, 400, PAD_IDS_WITH_7);
        CompletableFuture<List<Tensor>> unpadded = submitTokens(batcher, 1, 3, 500, null);
        engine.gate.countDown();
        first.get(5, TimeUnit.SECONDS);

        Tensor aOut = a.get(5, TimeUnit.SECONDS).get(0);
        assertThat(aOut.shape()).containsExactly(1, 12);
        assertThat(longs(aOut)).containsExactly(100, 101, 102, 7, 7, 7, 7, 7, 7, 7, 7, 7);
        Tensor bOut = b.get(5, TimeUnit.SECONDS).get(0);
        assertThat(bOut.shape()).containsExactly(2, 12);
        assertThat(longs(bOut)).containsExactly(200, 201, 202, 203, 204, 7, 7, 7, 7, 7, 7, 7,
                205, 206, 207, 208, 209, 7, 7, 7, 7, 7, 7, 7);
        assertThat(longs(c.get(5, TimeUnit.SECONDS).get(0))).startsWith(400).endsWith(411).hasSize(12);
        assertThat(longer.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 20);
        assertThat(unpadded.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 3);

        assertThat(engine.calls).extracting(call -> call.get(0).shape()[0] + "x" + call.get(0).shape()[1])
                .containsExactly("1x2", "4x12", "1x20", "1x3");
        Tensor mask = engine.calls.get(1).get(1);
        assertThat(longs(mask)).containsExactly(
                1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
                1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void aLoneSequenceRunsUnpaddedAndDifferentPadValuesDoNotShareACall() throws Exception {
        TokenEngine engine = new TokenEngine();
        DynamicBatcher batcher = tokenBatcher(engine, 64);
        CompletableFuture<List<Tensor>> first = occupyTokens(batcher, engine, 5);
        CompletableFuture<List<Tensor>> sevens = submitTokens(batcher, 1, 3, 100, PAD_IDS_WITH_7);
        CompletableFuture<List<Tensor>> zeros = submitTokens(batcher, 1, 4, 200,
                new SequencePadding(Map.of("ids", 0L, "mask", 0L)));
        engine.gate.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 5);
        assertThat(sevens.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 3);
        assertThat(zeros.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 4);
        assertThat(engine.calls).hasSize(3);
    }

    @Test
    void thePartsOfOneRequestAreAdmittedAllOrNone() throws Exception {
        TokenEngine engine = new TokenEngine();
        DynamicBatcher batcher = tokenBatcher(engine, 3);
        CompletableFuture<List<Tensor>> first = occupyTokens(batcher, engine, 2);
        List<DynamicBatcher.Work> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.add(new DynamicBatcher.Work(tokens(1, 30 * (i + 1), 0), List.of("y"), PAD_IDS_WITH_7));
        }
        assertThatThrownBy(() -> batcher.submitAll(four, later())).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.getMessage()).contains("queue is full", "needs 4 places"));
        assertThat(batcher.queueDepth()).isZero();
        List<CompletableFuture<List<Tensor>>> three = batcher.submitAll(four.subList(0, 3), later());
        assertThat(batcher.queueDepth()).isEqualTo(3);
        engine.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            assertThat(three.get(i).get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 30 * (i + 1));
        }
    }

    /** Holds the single worker on a first sequence of {@code length} tokens, so that the next ones queue up. */
    private static CompletableFuture<List<Tensor>> occupyTokens(DynamicBatcher batcher, TokenEngine engine,
            int length) throws InterruptedException {
        CompletableFuture<List<Tensor>> first = submitTokens(batcher, 1, length, 0, PAD_IDS_WITH_7);
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    /** One worker, no queue delay, batches of up to 16 rows. */
    private DynamicBatcher tokenBatcher(TokenEngine engine, int capacity) {
        return batcher(TOKENS, engine, 16, 0, capacity, 1);
    }
}
