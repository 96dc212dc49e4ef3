package dev.zeroserve.scheduling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.BatchExecutor;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;

/**
 * The dynamic batcher between the serving layer and the engine. It only groups and schedules: entries wait in one
 * queue bounded in rows; each of {@code parallelBatches} workers takes the oldest entry, adds the queued entries
 * that can share its execution (same requested outputs, same shapes past the batch dimension or, for padded token
 * sequences, the same length bucket) up to {@code maxBatchSize} rows and, for token sequences, {@code maxBatchTokens}
 * token positions (rows times the longest sequence: long sequences share an execution with fewer others), and hands
 * them to the {@link BatchExecutor}, which assembles the bytes. With a queue delay of 0 a lone entry runs at once;
 * batches form from what queues while the workers are busy. An entry bigger than the maximum batch, in rows or in
 * token positions, runs alone.
 *
 * <p>A full queue refuses at once; an entry whose deadline passes, or whose client goes away, while it waits is
 * failed then and never run. When an execution of several entries fails, the batch is split in two and each half run
 * again, down to single entries, so that only the entries that cause the failure fail.
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

    /** The entries of one admitted request, which its client may abandon while they wait. */
    public final class Admission {
        private final List<QueuedEntry> entries;

        private Admission(List<QueuedEntry> entries) {
            this.entries = entries;
        }

        /** Each entry's outputs, in the order of the entries. */
        public List<CompletableFuture<List<Tensor>>> results() {
            List<CompletableFuture<List<Tensor>>> results = new ArrayList<>(entries.size());
            for (QueuedEntry pending : entries) {
                results.add(pending.result);
            }
            return results;
        }

        /** Each entry's timing, in the order of the entries; complete once its result is. */
        public List<EntryTiming> timings() {
            List<EntryTiming> timings = new ArrayList<>(entries.size());
            for (QueuedEntry pending : entries) {
                timings.add(new EntryTiming(pending.enqueuedNanos, pending.startedNanos, pending.finishedNanos,
                        pending.batchRows));
            }
            return timings;
        }

        /** The client has gone: entries still queued leave the queue unrun and fail CANCELLED; running ones finish. */
        public void cancel() {
            List<QueuedEntry> removed = new ArrayList<>(entries.size());
            synchronized (lock) {
                for (QueuedEntry pending : entries) {
                    if (queue.remove(pending)) {
                        queuedRows -= pending.entry.rows();
                        removed.add(pending);
                    }
                }
            }
            for (QueuedEntry pending : removed) {
                pending.timeout.cancel(false);
                pending.fail(new InferenceException(Status.CANCELLED,
                        "the client went away before the request ran"));
            }
        }
    }

    private final BatchingSettings settings;
    private final ScheduledExecutorService timers;
    private final BatchObserver observer;
    private final IsolatingExecution execution;
    private final Object lock = new Object();
    private final ArrayDeque<QueuedEntry> queue = new ArrayDeque<>();
    /** Rows in {@link #queue}; guarded by {@link #lock}. */
    private long queuedRows;
    /** Executions running; guarded by {@link #lock}. */
    private int running;
    private final Runnable engineDone = this::engineDone;
    private final AtomicLong inFlightRows = new AtomicLong();
    private final List<Thread> workers = new ArrayList<>();
    private boolean closed;

    public DynamicBatcher(BatchExecutor executor, BatchingSettings settings, ScheduledExecutorService timers,
            BatchObserver observer) {
        this.settings = settings;
        this.timers = timers;
        this.observer = observer;
        this.execution = new IsolatingExecution(executor, observer);
        for (int i = 0; i < settings.parallelBatches(); i++) {
            Thread worker = new Thread(this::work, "zeroserve-batch-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    /** Rows waiting for a worker. */
    public long queueDepth() {
        synchronized (lock) {
            return queuedRows;
        }
    }

    /** How this batcher schedules, as it was built. */
    public BatchingSettings settings() {
        return settings;
    }

    /**
     * The most rows it holds at once before refusing: every worker's batch running and the queue full. Knative's
     * containerConcurrency is derived from it, so that the queue-proxy holds back what this would refuse.
     */
    public long admissionLimit() {
        return (long) settings.parallelBatches() * settings.maxBatchSize() + settings.queueCapacity();
    }

    /**
     * A timer for the deadlines of queued entries, on one daemon thread. An entry's timer is cancelled when the entry
     * leaves the queue, nearly always long before it would fire; cancelled timers are removed then, not kept until
     * their time comes (by default 30 s of every request's timers, each waking the thread once to be discarded).
     */
    public static ScheduledExecutorService deadlineTimer(String threadName) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Rows admitted and not yet answered: waiting or running. */
    public long inFlight() {
        return inFlightRows.get();
    }

    /**
     * Queues the entries of one request together: all are admitted, or none when the queue lacks rows for all.
     *
     * @param deadlineNanos the {@link System#nanoTime()} after which the entries must not run
     * @throws InferenceException UNAVAILABLE at once when the queue is full or the batcher is closed;
     *         INVALID_ARGUMENT when the request needs more rows than the whole queue holds
     */
    public Admission submit(List<BatchEntry> entries, long deadlineNanos) {
        List<QueuedEntry> admitted = new ArrayList<>(entries.size());
        long rows = 0;
        for (BatchEntry entry : entries) {
            admitted.add(new QueuedEntry(entry, deadlineNanos, inFlightRows));
            rows += entry.rows();
        }
        if (rows > settings.queueCapacity()) {
            throw InferenceException.invalid("the request has " + rows + " rows, more than the queue holds ("
                    + settings.queueCapacity() + " rows, zeroserve.batching.queue-capacity); send fewer at a time");
        }
        synchronized (lock) {
            if (closed) {
                throw new InferenceException(Status.UNAVAILABLE,
                        "the server is shutting down and admits no new requests", 1);
            }
            if (queuedRows + rows > settings.queueCapacity()) {
                throw new InferenceException(Status.UNAVAILABLE, "the request queue is full (" + queuedRows + " of "
                        + settings.queueCapacity() + " rows waiting, zeroserve.batching.queue-capacity"
                        + (rows > 1 ? "; this request needs " + rows : "") + "); retry shortly", 1);
            }
            for (QueuedEntry pending : admitted) {
                // Scheduled before a worker can see the entry; the timer takes the lock, so it cannot act before.
                pending.timeout = timers.schedule(() -> expire(pending),
                        Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                queue.addLast(pending);
            }
            queuedRows += rows;
            inFlightRows.addAndGet(rows);
            lock.notifyAll();
        }
        return new Admission(admitted);
    }

    private void expire(QueuedEntry pending) {
        synchronized (lock) {
            if (!queue.remove(pending)) {
                return;
            }
            queuedRows -= pending.entry.rows();
        }
        pending.fail(new InferenceException(Status.DEADLINE_EXCEEDED,
                "the request waited " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pending.enqueuedNanos)
                        + " ms in the queue and its deadline passed before it ran"));
    }

    private void work() {
        while (true) {
            Taken taken;
            try {
                taken = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (taken == null) {
                return;
            }
            run(taken.batch(), taken.alone());
        }
    }

    /** The engine is done with a batch: called before its entries are answered, so a client's next one runs alone. */
    private void engineDone() {
        synchronized (lock) {
            running--;
        }
    }

    /**
     * A batch taken from the queue, and whether it runs alone: no other execution running and nothing left waiting
     * when it was taken, so the engine may give it every core.
     */
    private record Taken(List<QueuedEntry> batch, boolean alone) {
    }

    private void run(List<QueuedEntry> batch, boolean alone) {
        long now = System.nanoTime();
        List<QueuedEntry> runnable = new ArrayList<>(batch.size());
        for (QueuedEntry pending : batch) {
            pending.timeout.cancel(false);
            if (now - pending.deadlineNanos >= 0) {
                pending.fail(new InferenceException(Status.DEADLINE_EXCEEDED,
                        "the request's deadline passed while it waited in the queue"));
            } else {
                observer.queued(now - pending.enqueuedNanos);
                runnable.add(pending);
            }
        }
        if (runnable.isEmpty()) {
            engineDone();
        } else {
            execution.run(runnable, alone, engineDone);
        }
    }

    /** Takes the oldest entry and the compatible ones behind it, waiting up to the queue delay to fill. */
    private Taken nextBatch() throws InterruptedException {
        synchronized (lock) {
            List<QueuedEntry> batch = fill();
            if (batch != null) {
                running++;
                return new Taken(batch, running == 1 && queue.isEmpty());
            }
            return null;
        }
    }

    /** Guarded by {@link #lock}. */
    private List<QueuedEntry> fill() throws InterruptedException {
        while (queue.isEmpty() && !closed) {
            lock.wait();
        }
        if (closed && queue.isEmpty()) {
            return null;
        }
        QueuedEntry first = queue.pollFirst();
        queuedRows -= first.entry.rows();
        List<QueuedEntry> batch = new ArrayList<>();
        batch.add(first);
        long rows = first.entry.rows();
        long longest = first.entry.tokensPerRow();
        if (!first.groupable || !settings.holds(rows + 1, longest)) {
            return batch;
        }
        // No longer than the queue delay, nor past the deadline of an entry already taken: it must fail then
        long fillDeadline = earlier(first.enqueuedNanos + settings.maxQueueDelayNanos(), first.deadlineNanos);
        while (true) {
            for (Iterator<QueuedEntry> it = queue.iterator(); it.hasNext() && settings.holds(rows + 1, longest);) {
                QueuedEntry next = it.next();
                long together = Math.max(longest, next.entry.tokensPerRow());
                if (next.sameGroup(first) && settings.holds(rows + next.entry.rows(), together)) {
                    it.remove();
                    queuedRows -= next.entry.rows();
                    batch.add(next);
                    rows += next.entry.rows();
                    longest = together;
                    fillDeadline = earlier(fillDeadline, next.deadlineNanos);
                }
            }
            long remaining = fillDeadline - System.nanoTime();
            if (!settings.holds(rows + 1, longest) || remaining <= 0 || closed) {
                return batch;
            }
            TimeUnit.NANOSECONDS.timedWait(lock, remaining);
        }
    }

    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /**
     * Stops admitting requests (refused UNAVAILABLE from now on) while the workers answer the queued ones, without
     * waiting for batches to fill; {@link #inFlight()} then falls to zero.
     */
    public void stopAdmitting() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
    }

    /** Stops taking requests; queued ones are answered UNAVAILABLE, running batches finish. */
    @Override
    public void close() {
        List<QueuedEntry> abandoned;
        synchronized (lock) {
            closed = true;
            abandoned = new ArrayList<>(queue);
            queue.clear();
            queuedRows = 0;
            lock.notifyAll();
        }
        for (QueuedEntry pending : abandoned) {
            pending.timeout.cancel(false);
            pending.fail(new InferenceException(Status.UNAVAILABLE,
                    "the server stopped before this queued request ran"));
        }
        for (Thread worker : workers) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("Interrupted while waiting for running batches");
                return;
            }
        }
    }
}
