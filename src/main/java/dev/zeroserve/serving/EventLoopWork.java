package dev.zeroserve.serving;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Which thread decodes a request and encodes its answer. Inference requests are decoded and answered on the event
 * loop they arrived on: two hops to a worker thread and back cost a small request more than its decoding (0.3-0.4 ms
 * of a 3 ms request at concurrency 1, measured). Work on more than {@value #INLINE_BYTES} bytes goes to a worker
 * thread of the same Vert.x context instead, so that decoding a 64 MiB body or writing a large JSON answer does not
 * hold the loop's other connections.
 */
public final class EventLoopWork {
    /** The most bytes decoded or encoded on an event loop. */
    public static final long INLINE_BYTES = 256 * 1024;
    /**
     * The most bytes of text tokenized on an event loop: about as long as decoding {@link #INLINE_BYTES} of tensors
     * (the bundled tokenizer reads about 1.4 MB/s of text on a core here, Jackson 30-58 MB/s of JSON numbers).
     */
    public static final long INLINE_TEXT_BYTES = 8 * 1024;

    private EventLoopWork() {
    }

    /** {@code work} run here, or on a worker thread of this event loop's context when it is {@code heavy}. */
    public static <T> CompletionStage<T> run(boolean heavy, Supplier<CompletionStage<T>> work) {
        Context context = Vertx.currentContext();
        if (!heavy || context == null || !Context.isOnEventLoopThread()) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                // As on a worker thread: the failure is the stage's, answered and counted as the request's.
                return CompletableFuture.failedFuture(e);
            }
        }
        return context.executeBlocking(work::get, false).toCompletionStage().thenCompose(stage -> stage);
    }

    /**
     * Where the answer to a request that arrived on {@code context} is encoded: that context (its event loop, or the
     * worker thread it was decoded on), a worker thread of it when the answer is {@code heavy}, a pool outside a
     * request.
     */
    static Executor answeringSide(Context context, boolean heavy) {
        if (context == null) {
            return ForkJoinPool.commonPool();
        }
        if (heavy && context.isEventLoopContext()) {
            return task -> context.executeBlocking(() -> {
                task.run();
                return null;
            }, false);
        }
        return task -> context.runOnContext(ignored -> task.run());
    }
}
