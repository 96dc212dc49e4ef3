package dev.zeroserve.scheduling;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import dev.zeroserve.engine.RunObserver;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.model.ModelMetadata;
import dev.zeroserve.model.TensorSpec;

/**
 * The dynamic batcher between the protocol adapters and the engine. Requests wait in one bounded queue; each of
 * {@code parallelBatches} workers takes the oldest request, adds the queued requests whose non-batch dimensions and
 * requested outputs match (up to {@code maxBatchSize} rows along dimension 0), concatenates them into one model call
 * and splits the outputs back. With a queue delay of 0 a lone request runs at once; batches form from what queues
 * while the workers are busy. A request bigger than the maximum batch runs alone. A full queue refuses at once; a
 * request whose deadline passes while it waits is failed then and never run.
 *
 * <p>Token sequences ({@link SequencePadding}) are grouped by length bucket instead of by exact shape: the batch is
 * padded on the right to its longest sequence, each input with its own pad value (the attention mask with 0), and
 * every request gets its rows of the outputs at that padded length.
 */
public final class DynamicBatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DynamicBatcher.class);

    /** How the batcher runs a batch: the model, and where the time went. */
    public interface Engine {
        List<Tensor> run(List<Tensor> inputs, List<String> outputs, RunObserver observer);
    }

    /** What the batcher reports, for metrics, beside the engine's own compute timings. */
    public interface BatchObserver extends RunObserver {
        void queued(long waitedNanos);

        void batchStarted(int requests, long rows);
    }

    /**
     * @param maxQueueDelayNanos how long the oldest request may wait for a batch to fill; 0 = run what is there
     */
    public record Settings(int maxBatchSize, long maxQueueDelayNanos, int queueCapacity, int parallelBatches) {
    }

    /**
     * One model call's worth of validated work.
     *
     * @param padding how dimension 1 of the inputs may be padded to share a batch, or null
     */
    public record Work(List<Tensor> inputs, List<String> outputs, SequencePadding padding) {
    }

    private final Engine engine;
    private final Settings settings;
    private final boolean batchable;
    private final ScheduledExecutorService timers;
    private final BatchObserver observer;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Thread> workers = new ArrayList<>();
    private boolean closed;

    public DynamicBatcher(ModelMetadata metadata, Engine engine, Settings settings, ScheduledExecutorService timers,
            BatchObserver observer) {
        this.engine = engine;
        this.settings = settings;
        this.batchable = hasBatchDimension(metadata);
        this.timers = timers;
        this.observer = observer;
        for (int i = 0; i < settings.parallelBatches(); i++) {
            Thread worker = new Thread(this::work, "zeroserve-batch-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    /** A model batches when every input and output has a dynamic first dimension, the batch. */
    static boolean hasBatchDimension(ModelMetadata metadata) {
        return Stream.concat(metadata.inputs().stream(), metadata.outputs().stream())
                .allMatch(spec -> spec.shape().length > 0 && spec.shape()[0] == TensorSpec.DYNAMIC);
    }

    public boolean batchable() {
        return batchable;
    }

    /** Requests waiting for a worker. */
    public int queueDepth() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Requests admitted and not yet answered: waiting or running. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Queues validated inputs.
     *
     * @param deadlineNanos the {@link System#nanoTime()} after which the request must not run
     * @throws InferenceException UNAVAILABLE at once when the queue is full or the batcher is closed
     */
    public CompletableFuture<List<Tensor>> submit(List<Tensor> inputs, List<String> outputs, long deadlineNanos) {
        return submitAll(List.of(new Work(inputs, outputs, null)), deadlineNanos).get(0);
    }

    /**
     * Queues the parts of one client request together: all are admitted, or none when the queue lacks room for all.
     *
     * @return each part's outputs, in the order of the parts
     * @throws InferenceException UNAVAILABLE at once when the queue is full or the batcher is closed
     */
    public List<CompletableFuture<List<Tensor>>> submitAll(List<Work> parts, long deadlineNanos) {
        List<Pending> admitted = new ArrayList<>(parts.size());
        for (Work part : parts) {
            admitted.add(new Pending(part, deadlineNanos, batchable));
        }
        synchronized (lock) {
            if (closed) {
                throw new InferenceException(Status.UNAVAILABLE,
                        "the server is shutting down and admits no new requests", 1);
            }
            if (queue.size() + admitted.size() > settings.queueCapacity()) {
                throw new InferenceException(Status.UNAVAILABLE, "the request queue is full ("
                        + settings.queueCapacity() + " waiting, zeroserve.batching.queue-capacity"
                        + (admitted.size() > 1 ? "; this request needs " + admitted.size() + " places" : "")
                        + "); retry shortly", 1);
            }
            for (Pending pending : admitted) {
                // Scheduled before a worker can see the request; the timer takes the lock, so it cannot act before.
                pending.timeout = timers.schedule(() -> expire(pending),
                        Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                queue.addLast(pending);
                inFlight.incrementAndGet();
            }
            lock.notifyAll();
        }
        List<CompletableFuture<List<Tensor>>> results = new ArrayList<>(admitted.size());
        for (Pending pending : admitted) {
            results.add(pending.result);
        }
        return results;
    }

    private void expire(Pending pending) {
        synchronized (lock) {
            if (!queue.remove(pending)) {
                return;
            }
        }
        finish(pending, null, new InferenceException(Status.DEADLINE_EXCEEDED,
                "the request waited " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pending.enqueuedNanos)
                        + " ms in the queue and its deadline passed before it ran"));
    }

    private void work() {
        while (true) {
            List<Pending> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            long now = System.nanoTime();
            List<Pending> runnable = new ArrayList<>(batch.size());
            for (Pending pending : batch) {
                pending.timeout.cancel(false);
                if (now - pending.deadlineNanos >= 0) {
                    finish(pending, null, new InferenceException(Status.DEADLINE_EXCEEDED,
                            "the request's deadline passed while it waited in the queue"));
                } else {
                    observer.queued(now - pending.enqueuedNanos);
                    runnable.add(pending);
                }
            }
            if (!runnable.isEmpty()) {
                execute(runnable);
            }
        }
    }

    /** Takes the oldest request and the compatible ones behind it, waiting up to the queue delay to fill. */
    private List<Pending> nextBatch() throws InterruptedException {
        synchronized (lock) {
            while (queue.isEmpty() && !closed) {
                lock.wait();
            }
            if (closed && queue.isEmpty()) {
                return null;
            }
            Pending first = queue.pollFirst();
            List<Pending> batch = new ArrayList<>();
            batch.add(first);
            if (!first.groupable || first.rows >= settings.maxBatchSize()) {
                return batch;
            }
            long rows = first.rows;
            long fillDeadline = first.enqueuedNanos + settings.maxQueueDelayNanos();
            while (true) {
                for (Iterator<Pending> it = queue.iterator(); it.hasNext() && rows < settings.maxBatchSize();) {
                    Pending next = it.next();
                    if (next.sameGroup(first) && rows + next.rows <= settings.maxBatchSize()) {
                        it.remove();
                        batch.add(next);
                        rows += next.rows;
                    }
                }
                long remaining = fillDeadline - System.nanoTime();
                if (rows >= settings.maxBatchSize() || remaining <= 0 || closed) {
                    return batch;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, remaining);
            }
        }
    }

    private void execute(List<Pending> batch) {
        Pending first = batch.get(0);
        try {
            long rows = 0;
            for (Pending pending : batch) {
                rows += pending.rows;
            }
            observer.batchStarted(batch.size(), rows);
            if (batch.size() == 1) {
                finish(first, engine.run(first.inputs, first.outputs, observer), null);
                return;
            }
            List<Tensor> outputs = engine.run(concatenate(batch, rows), first.outputs, observer);
            split(batch, rows, outputs);
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            RuntimeException failure = e instanceof RuntimeException runtime ? runtime
                    : new InferenceException(Status.INTERNAL, "the batch failed: " + e, e);
            for (Pending pending : batch) {
                if (!pending.result.isDone()) {
                    finish(pending, null, failure);
                }
            }
        }
    }

    private static List<Tensor> concatenate(List<Pending> batch, long rows) {
        Pending first = batch.get(0);
        long sequence = 0;
        if (first.padValues != null) {
            for (Pending pending : batch) {
                sequence = Math.max(sequence, pending.sequenceLength);
            }
        }
        List<Tensor> joined = new ArrayList<>(first.inputs.size());
        for (int i = 0; i < first.inputs.size(); i++) {
            Tensor model = first.inputs.get(i);
            long[] shape = model.shape().clone();
            shape[0] = rows;
            ByteBuffer data;
            if (first.padValues == null) {
                long bytes = 0;
                for (Pending pending : batch) {
                    bytes += pending.inputs.get(i).byteSize();
                }
                data = Tensor.allocate(bytes);
                for (Pending pending : batch) {
                    data.put(pending.inputs.get(i).data().duplicate().clear().limit(pending.inputs.get(i).byteSize()));
                }
            } else {
                shape[1] = sequence;
                data = padded(batch, i, shape);
            }
            joined.add(Tensor.of(model.name(), model.dataType(), shape, data.flip()));
        }
        return joined;
    }

    /** Input {@code index} of every request, each row copied once and lengthened to {@code shape[1]}. */
    private static ByteBuffer padded(List<Pending> batch, int index, long[] shape) {
        DataType type = batch.get(0).inputs.get(index).dataType();
        long padValue = batch.get(0).padValues[index];
        long elementsPerPosition = 1;
        for (int d = 2; d < shape.length; d++) {
            elementsPerPosition *= shape[d];
        }
        long paddedRowElements = shape[1] * elementsPerPosition;
        ByteBuffer data = Tensor.allocate(shape[0] * paddedRowElements * type.byteSize());
        for (Pending pending : batch) {
            ByteBuffer source = pending.inputs.get(index).data();
            int rowBytes = (int) (pending.sequenceLength * elementsPerPosition * type.byteSize());
            for (int row = 0; row < pending.rows; row++) {
                data.put(source.duplicate().clear().position(row * rowBytes).limit((row + 1) * rowBytes));
                fill(data, type, padValue, paddedRowElements - pending.sequenceLength * elementsPerPosition);
            }
        }
        return data;
    }

    private static void fill(ByteBuffer data, DataType type, long value, long count) {
        for (long n = 0; n < count; n++) {
            switch (type.byteSize()) {
                case 1 -> data.put((byte) value);
                case 2 -> data.putShort((short) value);
                case 4 -> data.putInt((int) value);
                default -> data.putLong(value);
            }
        }
    }

    /** Gives each request its rows of every output, as views of the batch's output buffers. */
    private void split(List<Pending> batch, long rows, List<Tensor> outputs) {
        for (Tensor output : outputs) {
            if (output.shape().length == 0 || output.shape()[0] != rows) {
                throw new InferenceException(Status.INTERNAL, "output '" + output.name() + "' of a batch of " + rows
                        + " rows has shape " + Arrays.toString(output.shape()) + "; the model's first dimension is "
                        + "not a batch dimension, set zeroserve.batching.max-batch-size=1");
            }
        }
        List<List<Tensor>> perRequest = new ArrayList<>(batch.size());
        for (int r = 0; r < batch.size(); r++) {
            perRequest.add(new ArrayList<>(outputs.size()));
        }
        for (Tensor output : outputs) {
            long elementsPerRow = output.elementCount() / rows;
            int offset = 0;
            for (int r = 0; r < batch.size(); r++) {
                long requestRows = batch.get(r).rows;
                int length = byteLength(output, offset, elementsPerRow * requestRows);
                long[] shape = output.shape().clone();
                shape[0] = requestRows;
                ByteBuffer slice = output.data().duplicate().position(offset).limit(offset + length).slice();
                perRequest.get(r).add(Tensor.of(output.name(), output.dataType(), shape, slice));
                offset += length;
            }
        }
        for (int r = 0; r < batch.size(); r++) {
            finish(batch.get(r), perRequest.get(r), null);
        }
    }

    private static int byteLength(Tensor tensor, int offset, long elements) {
        if (tensor.dataType() != DataType.BYTES) {
            return (int) (elements * tensor.dataType().byteSize());
        }
        int position = offset;
        for (long i = 0; i < elements; i++) {
            position += DataType.BYTES_LENGTH_PREFIX + tensor.data().getInt(position);
        }
        return position - offset;
    }

    private void finish(Pending pending, List<Tensor> outputs, RuntimeException failure) {
        inFlight.decrementAndGet();
        if (failure != null) {
            pending.result.completeExceptionally(failure);
        } else {
            pending.result.complete(outputs);
        }
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
        List<Pending> abandoned;
        synchronized (lock) {
            closed = true;
            abandoned = new ArrayList<>(queue);
            queue.clear();
            lock.notifyAll();
        }
        for (Pending pending : abandoned) {
            pending.timeout.cancel(false);
            finish(pending, null, new InferenceException(Status.UNAVAILABLE,
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

    private static final class Pending {
        final List<Tensor> inputs;
        final List<String> outputs;
        final long deadlineNanos;
        final long enqueuedNanos = System.nanoTime();
        final long rows;
        /** Whether every input agrees on the batch dimension, so the request can share a batch. */
        final boolean groupable;
        /** Each input's pad value, by input index, for a request whose sequence dimension may be padded; else null. */
        final long[] padValues;
        final long sequenceLength;
        final CompletableFuture<List<Tensor>> result = new CompletableFuture<>();
        ScheduledFuture<?> timeout;

        Pending(Work work, long deadlineNanos, boolean batchable) {
            this.inputs = work.inputs();
            this.outputs = work.outputs();
            this.deadlineNanos = deadlineNanos;
            this.rows = batchable && !inputs.isEmpty() ? inputs.get(0).shape()[0] : 1;
            this.padValues = work.padding() == null ? null : padValues(work.inputs(), work.padding());
            this.sequenceLength = padValues == null ? 0 : inputs.get(0).shape()[1];
            this.groupable = batchable && inputs.stream().allMatch(input -> input.shape()[0] == rows
                    && (padValues == null || input.shape()[1] == sequenceLength));
        }

        private static long[] padValues(List<Tensor> inputs, SequencePadding padding) {
            long[] values = new long[inputs.size()];
            for (int i = 0; i < values.length; i++) {
                Tensor input = inputs.get(i);
                Long value = padding.padValues().get(input.name());
                if (value == null || input.shape().length < 2 || !isInteger(input.dataType())) {
                    throw new IllegalArgumentException("input '" + input.name() + "' (" + input.dataType() + " "
                            + Arrays.toString(input.shape()) + ") cannot be padded as a sequence");
                }
                values[i] = value;
            }
            return values;
        }

        private static boolean isInteger(DataType type) {
            return switch (type) {
                case BOOL, UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
                default -> false;
            };
        }

        /**
         * Same requested outputs and input names; every input has the same shape past the batch dimension or, for
         * padded sequences, past the sequence dimension, and the sequences fall into the same length bucket.
         */
        boolean sameGroup(Pending other) {
            if (!groupable || !other.groupable || !outputs.equals(other.outputs)
                    || inputs.size() != other.inputs.size() || (padValues == null) != (other.padValues == null)) {
                return false;
            }
            int from = 1;
            if (padValues != null) {
                if (!Arrays.equals(padValues, other.padValues) || SequencePadding.lengthBucket(sequenceLength)
                        != SequencePadding.lengthBucket(other.sequenceLength)) {
                    return false;
                }
                from = 2;
            }
            for (int i = 0; i < inputs.size(); i++) {
                Tensor a = inputs.get(i);
                Tensor b = other.inputs.get(i);
                if (!a.name().equals(b.name()) || !Arrays.equals(a.shape(), from, a.shape().length, b.shape(), from,
                        b.shape().length)) {
                    return false;
                }
            }
            return true;
        }
    }
}
