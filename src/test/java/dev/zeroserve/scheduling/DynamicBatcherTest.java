package dev.zeroserve.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.BatchExecutor;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.testing.Await;

class DynamicBatcherTest {
    private static final long LONG_AGO = 60_000_000_000L;
    private static final SequencePadding PAD = new SequencePadding(Map.of("x", 0L));

    private final ScheduledExecutorService timers = DynamicBatcher.deadlineTimer("test-deadlines");
    private final List<DynamicBatcher> batchers = new ArrayList<>();
    private final AtomicInteger splits = new AtomicInteger();

    /**
     * An identity model that records each execution's entries, optionally held until released; an execution fails
     * when any of its entries starts with a negative value, as a real model fails on one bad row.
     */
    private static final class FakeExecutor implements BatchExecutor {
        final List<List<BatchEntry>> calls = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> alone = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile CountDownLatch started = new CountDownLatch(1);

        @Override
        public List<List<Tensor>> execute(List<BatchEntry> batch, RunObserver observer, boolean alone) {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            calls.add(List.copyOf(batch));
            this.alone.add(alone);
            started.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
                List<List<Tensor>> outputs = new ArrayList<>();
                for (BatchEntry entry : batch) {
                    Tensor x = entry.inputs().get(0);
                    if (x.data().getFloat(0) < 0) {
                        throw new InferenceException(Status.INVALID_ARGUMENT, "negative input " + x.data().getFloat(0));
                    }
                    outputs.add(List.of(x.withName("y")));
                }
                return outputs;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                running.decrementAndGet();
            }
        }

        /** Rows of each execution, in order. */
        List<Long> rowsPerCall() {
            synchronized (calls) {
                return calls.stream().map(call -> call.stream().mapToLong(BatchEntry::rows).sum()).toList();
            }
        }
    }

    private DynamicBatcher batcher(FakeExecutor executor, int maxBatch, long delayMillis, int capacity,
            int parallel) {
        return batcher(executor, maxBatch, delayMillis, capacity, parallel, 0);
    }

    private DynamicBatcher batcher(FakeExecutor executor, int maxBatch, long delayMillis, int capacity,
            int parallel, long maxTokens) {
        DynamicBatcher batcher = new DynamicBatcher(executor, new BatchingSettings(maxBatch,
                TimeUnit.MILLISECONDS.toNanos(delayMillis), capacity, parallel, maxTokens), timers,
                new BatchObserver() {
                    @Override
                    public void queued(long waitedNanos) {
                    }

                    @Override
                    public RunObserver batchStarted(int entries, long rows) {
                        return RunObserver.NONE;
                    }

                    @Override
                    public void batchSplit() {
                        splits.incrementAndGet();
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

    /** An entry of rows x cols floats, each row filled with {@code value + row}. */
    private static BatchEntry entry(int rows, int cols, float value) {
        ByteBuffer data = Tensor.allocate((long) rows * cols * 4);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                data.putFloat(value + r);
            }
        }
        return new BatchEntry(List.of(Tensor.of("x", DataType.FP32, new long[] { rows, cols }, data.flip())),
                List.of("y"), null, rows, 0);
    }

    /** A token sequence of one row that may be padded. */
    private static BatchEntry sequence(int length, float value) {
        BatchEntry plain = entry(1, length, value);
        return new BatchEntry(plain.inputs(), plain.outputs(), PAD, 1, 0);
    }

    /** A token sequence of one row that may be padded, its tokens counted by the budget. */
    private static BatchEntry counted(int length, float value) {
        BatchEntry plain = entry(1, length, value);
        return new BatchEntry(plain.inputs(), plain.outputs(), PAD, 1, length);
    }

    private static long later() {
        return System.nanoTime() + LONG_AGO;
    }

    private CompletableFuture<List<Tensor>> submit(DynamicBatcher batcher, BatchEntry entry) {
        return batcher.submit(List.of(entry), later()).results().get(0);
    }

    private CompletableFuture<List<Tensor>> submit(DynamicBatcher batcher, int rows, int cols, float value) {
        return submit(batcher, entry(rows, cols, value));
    }

    /** Holds the single worker on a first entry so that the next ones queue up behind it. */
    private CompletableFuture<List<Tensor>> occupy(DynamicBatcher batcher, FakeExecutor executor) throws Exception {
        executor.gate = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> first = submit(batcher, 1, 2, 100);
        assertThat(executor.started.await(5, TimeUnit.SECONDS)).isTrue();
        return first;
    }

    /** Lets the held worker go and waits for the first entry and then every other to be answered. */
    private static void release(FakeExecutor executor, CompletableFuture<List<Tensor>> first,
            List<CompletableFuture<List<Tensor>>> all) throws Exception {
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<List<Tensor>> future : all) {
            future.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void queuedEntriesWithMatchingShapesShareOneExecutionAndGetTheirOwnOutputs() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 16, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        List<CompletableFuture<List<Tensor>>> same = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            same.add(submit(batcher, 2, 2, 10 * i));
        }
        CompletableFuture<List<Tensor>> otherShape = submit(batcher, 1, 3, 7);
        executor.gate.countDown();

        first.get(5, TimeUnit.SECONDS);
        for (int i = 0; i < 3; i++) {
            assertThat(same.get(i).get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(10f * i);
        }
        assertThat(otherShape.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(1, 3);
        assertThat(executor.rowsPerCall()).containsExactly(1L, 6L, 1L);
        assertThat(executor.calls.get(1)).hasSize(3);
    }

    @Test
    void batchesStopAtTheMaximumSizeAndBiggerEntriesRunAlone() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 4, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        List<CompletableFuture<List<Tensor>>> ones = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ones.add(submit(batcher, 1, 2, i));
        }
        CompletableFuture<List<Tensor>> big = submit(batcher, 9, 2, 50);
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<List<Tensor>> one : ones) {
            one.get(5, TimeUnit.SECONDS);
        }
        assertThat(big.get(5, TimeUnit.SECONDS).get(0).shape()).containsExactly(9, 2);
        assertThat(executor.rowsPerCall()).containsExactly(1L, 4L, 2L, 9L);
    }

    @Test
    void paddedSequencesShareAnExecutionOnlyWithinTheirLengthBucket() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 16, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        List<CompletableFuture<List<Tensor>>> all = List.of(submit(batcher, sequence(3, 1)),
                submit(batcher, sequence(12, 2)), submit(batcher, sequence(20, 3)), submit(batcher, entry(1, 3, 4)));
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        for (CompletableFuture<List<Tensor>> future : all) {
            future.get(5, TimeUnit.SECONDS);
        }
        assertThat(executor.calls).extracting(call -> call.stream().map(e -> e.sequenceLength() + "").toList())
                .containsExactly(List.of("0"), List.of("3", "12"), List.of("20"), List.of("0"));
    }

    @Test
    void longSequencesShareAnExecutionWithFewerOthersWithinTheTokenBudget() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 16, 0, 64, 1, 256);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(submit(batcher, counted(96, i)));
        }
        for (int i = 0; i < 12; i++) {
            all.add(submit(batcher, counted(16, i)));
        }
        // One bucket (72-96): the batch is padded to its longest, 80 then 96, which the budget counts.
        all.add(submit(batcher, counted(80, 1)));
        all.add(submit(batcher, counted(90, 2)));
        all.add(submit(batcher, counted(90, 3)));
        all.add(submit(batcher, counted(300, 9)));
        release(executor, first, all);
        assertThat(executor.calls).extracting(call -> call.stream().map(e -> e.sequenceLength() + "").toList())
                .containsExactly(List.of("0"), List.of("96", "96"), List.of("96", "96"), List.of("96", "80"),
                        Collections.nCopies(12, "16"), List.of("90", "90"), List.of("300"));
    }

    @Test
    void aBatchFullByTheTokenBudgetLeavesWithoutWaitingOutTheQueueDelay() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 16, 5_000, 64, 1, 256);
        CompletableFuture<List<Tensor>> a = submit(batcher, counted(96, 1));
        CompletableFuture<List<Tensor>> b = submit(batcher, counted(96, 2));
        // Well before the 5 s delay: two rows of 96 tokens fill the budget, a third could not join.
        a.get(2, TimeUnit.SECONDS);
        b.get(2, TimeUnit.SECONDS);
        assertThat(executor.rowsPerCall()).containsExactly(2L);
    }

    @Test
    void entriesOfNoTokensFillByRowsAndAnEntryOverTheBudgetRunsAlone() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 4, 0, 64, 1, 256);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(submit(batcher, 1, 2, i));
        }
        BatchEntry rows = entry(3, 128, 7);
        all.add(submit(batcher, new BatchEntry(rows.inputs(), rows.outputs(), null, 3, 128)));
        all.add(submit(batcher, new BatchEntry(rows.inputs(), rows.outputs(), null, 3, 128)));
        release(executor, first, all);
        assertThat(executor.rowsPerCall()).containsExactly(1L, 4L, 2L, 3L, 3L);
    }

    @Test
    void theQueueDelayLetsABatchFillAndALoneEntryRunsWhenItEnds() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 300, 64, 1);
        long start = System.nanoTime();
        CompletableFuture<List<Tensor>> a = submit(batcher, 1, 2, 1);
        Thread.sleep(20);
        CompletableFuture<List<Tensor>> b = submit(batcher, 1, 2, 2);
        a.get(5, TimeUnit.SECONDS);
        b.get(5, TimeUnit.SECONDS);
        assertThat(executor.rowsPerCall()).containsExactly(2L);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));

        DynamicBatcher immediate = batcher(new FakeExecutor(), 8, 0, 64, 1);
        long lone = System.nanoTime();
        submit(immediate, 1, 2, 1).get(5, TimeUnit.SECONDS);
        // below the 300 ms queue delay the batched pair waited out above
        assertThat(System.nanoTime() - lone).isLessThan(TimeUnit.MILLISECONDS.toNanos(290));
    }

    @Test
    void anEntryWhoseDeadlinePassesWhileQueuedFailsThenAndNeverRuns() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        CompletableFuture<List<Tensor>> late = batcher.submit(List.of(entry(1, 3, 5)),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100)).results().get(0);
        assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.DEADLINE_EXCEEDED));
        assertThat(first.isDone()).as("it failed while the worker was still busy").isFalse();
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        assertThat(executor.calls).hasSize(1);
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void aBatchHeldForCompanyStopsWaitingWhenTheDeadlineOfAnEntryInItPasses() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 5_000, 64, 1);
        long start = System.nanoTime();
        CompletableFuture<List<Tensor>> held = batcher.submit(List.of(entry(1, 2, 1)),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200)).results().get(0);
        assertThatThrownBy(() -> held.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.DEADLINE_EXCEEDED));
        assertThat(System.nanoTime() - start).as("failed at its deadline, not after the 5 s queue delay")
                .isLessThan(TimeUnit.SECONDS.toNanos(3));
        assertThat(executor.calls).isEmpty();
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void aCancelledAdmissionLeavesTheQueueUnrunAndARunningOneFinishes() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 0, 64, 1);
        executor.gate = new CountDownLatch(1);
        DynamicBatcher.Admission running = batcher.submit(List.of(entry(1, 2, 100)), later());
        assertThat(executor.started.await(5, TimeUnit.SECONDS)).isTrue();
        DynamicBatcher.Admission gone = batcher.submit(List.of(entry(2, 3, 1), entry(1, 3, 2)), later());
        CompletableFuture<List<Tensor>> stays = submit(batcher, 1, 3, 3);
        assertThat(batcher.queueDepth()).isEqualTo(4);

        gone.cancel();
        running.cancel();
        assertThat(batcher.queueDepth()).isEqualTo(1);
        for (CompletableFuture<List<Tensor>> result : gone.results()) {
            assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(Status.CANCELLED));
        }
        executor.gate.countDown();
        assertThat(running.results().get(0).get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(100f);
        assertThat(stays.get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(3f);
        assertThat(executor.rowsPerCall()).containsExactly(1L, 1L);
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void capacityIsCountedInRowsAndARequestIsAdmittedWhole() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 0, 4, 1);
        occupy(batcher, executor);
        submit(batcher, 3, 3, 1);
        assertThat(batcher.queueDepth()).isEqualTo(3);
        assertThatThrownBy(() -> batcher.submit(List.of(entry(1, 4, 1), entry(1, 4, 2)), later()))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.UNAVAILABLE);
                    assertThat(e.retryAfterSeconds()).isPositive();
                    assertThat(e.getMessage()).contains("queue is full", "3 of 4 rows", "needs 2");
                });
        assertThat(batcher.queueDepth()).as("nothing of the refused request stays queued").isEqualTo(3);
        submit(batcher, 1, 4, 1);
        assertThatThrownBy(() -> submit(batcher, 5, 2, 1)).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT);
            assertThat(e.getMessage()).contains("5 rows", "zeroserve.batching.queue-capacity");
        });
        executor.gate.countDown();
    }

    @Test
    void drainingRefusesNewRequestsAndAnswersEveryAdmittedOne() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 2, 60_000, 8, 1);
        executor.gate = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> running = submit(batcher, 2, 2, 100); // a full batch: runs at once
        assertThat(executor.started.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<List<Tensor>>> queued = List.of(submit(batcher, 1, 3, 1), submit(batcher, 1, 3, 2),
                submit(batcher, 1, 4, 3));
        batcher.stopAdmitting();
        assertThatThrownBy(() -> submit(batcher, 1, 3, 4)).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.status()).isEqualTo(Status.UNAVAILABLE);
            assertThat(e.getMessage()).contains("admits no new requests");
        });
        assertThat(batcher.inFlight()).isEqualTo(5);
        executor.gate.countDown();
        // Queued entries run without waiting out the 60 s queue delay, and each gets its own rows.
        assertThat(running.get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(100f);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(i + 1f);
        }
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void noMoreExecutionsRunAtOnceThanConfigured() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        executor.gate = new CountDownLatch(1);
        DynamicBatcher batcher = batcher(executor, 1, 0, 64, 2);
        List<CompletableFuture<List<Tensor>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(submit(batcher, 1, 2, i));
        }
        Await.until(Duration.ofSeconds(5), () -> executor.running.get() == 2);
        assertThat(executor.running.get()).isEqualTo(2);
        executor.gate.countDown();
        for (CompletableFuture<List<Tensor>> future : all) {
            future.get(5, TimeUnit.SECONDS);
        }
        assertThat(executor.maxRunning.get()).isEqualTo(2);
        assertThat(executor.rowsPerCall()).containsExactly(1L, 1L, 1L, 1L, 1L, 1L);
    }

    @Test
    void anExecutionRunsAloneOnlyWhenNoOtherRunsAndNothingWaits() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 1, 0, 64, 2);
        submit(batcher, 1, 2, 1).get(5, TimeUnit.SECONDS);
        assertThat(executor.alone).containsExactly(true);

        executor.started = new CountDownLatch(2);
        executor.gate = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> first = submit(batcher, 1, 2, 2);
        CompletableFuture<List<Tensor>> second = submit(batcher, 1, 2, 3);
        assertThat(executor.started.await(5, TimeUnit.SECONDS)).isTrue();
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        // one of the two ran beside the other, or was taken while the other waited: at most one ran alone
        assertThat(executor.alone.subList(1, 3)).contains(false);

        executor.gate = new CountDownLatch(1);
        executor.started = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> held = submit(batcher, 1, 2, 4);
        assertThat(executor.started.await(5, TimeUnit.SECONDS)).isTrue();
        executor.started = new CountDownLatch(1);
        CompletableFuture<List<Tensor>> beside = submit(batcher, 1, 2, 5);
        assertThat(executor.started.await(5, TimeUnit.SECONDS)).isTrue();
        executor.gate.countDown();
        held.get(5, TimeUnit.SECONDS);
        beside.get(5, TimeUnit.SECONDS);
        assertThat(executor.alone.subList(3, 5)).containsExactly(true, false);
    }

    @Test
    void anEntryWhoseShapeDisagreesWithItsRowsRunsAlone() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        // A model without a batch dimension: each request is one row, whatever its first dimension.
        BatchEntry fixed = entry(2, 2, 1);
        CompletableFuture<List<Tensor>> a = submit(batcher, new BatchEntry(fixed.inputs(), fixed.outputs(), null, 1, 0));
        CompletableFuture<List<Tensor>> b = submit(batcher, new BatchEntry(fixed.inputs(), fixed.outputs(), null, 1, 0));
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        a.get(5, TimeUnit.SECONDS);
        b.get(5, TimeUnit.SECONDS);
        assertThat(executor.calls).hasSize(3).allSatisfy(call -> assertThat(call).hasSize(1));
    }

    @Test
    void aFailingExecutionIsSplitUntilOnlyTheFailingEntryFails() throws Exception {
        FakeExecutor executor = new FakeExecutor();
        DynamicBatcher batcher = batcher(executor, 8, 0, 64, 1);
        CompletableFuture<List<Tensor>> first = occupy(batcher, executor);
        List<CompletableFuture<List<Tensor>>> fine = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fine.add(submit(batcher, 1, 2, i));
        }
        CompletableFuture<List<Tensor>> poisoned = submit(batcher, 1, 2, -5);
        fine.add(submit(batcher, 1, 2, 9));
        executor.gate.countDown();
        first.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> poisoned.get(5, TimeUnit.SECONDS)).hasMessageContaining("negative input -5");
        for (int i = 0; i < fine.size(); i++) {
            assertThat(fine.get(i).get(5, TimeUnit.SECONDS).get(0).data().getFloat(0)).isEqualTo(i < 5 ? i : 9);
        }
        // 7 entries: 7 fails, then [0..2] passes, [3..6] fails, [3,4] passes, [-5, 9] fails, each of them alone.
        assertThat(executor.rowsPerCall()).containsExactly(1L, 7L, 3L, 4L, 2L, 2L, 1L, 1L);
        assertThat(splits.get()).isEqualTo(3);
        assertThat(batcher.inFlight()).isZero();
    }

    @Test
    void answeredEntriesLeaveNoTimerBehind() throws Exception {
        DynamicBatcher batcher = batcher(new FakeExecutor(), 4, 0, 64, 1);
        for (int i = 0; i < 50; i++) {
            assertThat(submit(batcher, 1, 2, i).get(5, TimeUnit.SECONDS)).hasSize(1);
        }
        // Each entry's 60 s timer was cancelled when it left the queue, and is gone rather than waiting out its delay.
        assertThat(((ScheduledThreadPoolExecutor) timers).getQueue()).isEmpty();
    }
}
