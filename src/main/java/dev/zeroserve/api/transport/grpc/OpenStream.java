package dev.zeroserve.api.transport.grpc;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

/**
 * The answer side of one gRPC exchange's HTTP/2 stream. Its writes run on the stream's event loop, each only if the
 * stream is still open in that turn; a write to a stream its client has reset is dropped.
 * <p>
 * Why (issue 23): a client's RST_STREAM makes Netty forget the stream at once, but Vert.x 4.5 writes whatever answer it
 * is handed later, and writes a response's trailers with a void promise: Netty refuses those trailers ("Request stream
 * N is not correct for server connection"), the void promise fires the refusal down the channel's pipeline, and
 * Vert.x's HTTP/2 handler takes any exception there for the connection's (VertxHttp2ConnectionHandler.exceptionCaught:
 * GOAWAY PROTOCOL_ERROR, or a bare close), failing every other call on the connection (quarkusio/quarkus#56268; the
 * late answer exists because Vert.x does not cancel a unary call whose request has arrived, eclipse-vertx/vert.x#5562).
 * Trailers waiting in Netty's flow control when the reset arrives fail the same way (GrpcExchanges holds a call's
 * close while its message waits there). Hence:
 * <ul>
 * <li>the check and the write share one event-loop turn: Vert.x marks the response closed within the turn in which
 * Netty closes the stream, so no reset slips in between;</li>
 * <li>that turn is not the read that delivered the request ({@link #write}): a reset in the same read (a client that
 * gives up at once) would find an answer written there still queued in flow control, as Vert.x flushes only once the
 * read is done. An answer written in a task of its own is flushed before the next read; one completed in such a task
 * already (an inference answer, on its requesting context) is written at once ({@link #writeOutsideRead}). Writes
 * from other threads (an answer encoded on a worker) hop to the loop, in the order they were made.</li>
 * </ul>
 * docs/transport-workarounds-reset.md says when this can go.
 */
final class OpenStream {
    private final HttpServerResponse response;
    private final Context context;
    /** Writes waiting for their turn, and whether it is scheduled; guarded by this, as is {@link #writing}. */
    private final List<Runnable> queued = new ArrayList<>(4);
    private boolean scheduled;
    /** Whether queued writes are running now: a write they cause must wait behind the rest of them. */
    private boolean writing;

    /** The exchange's stream; {@code context} is the exchange's Vert.x context, an event-loop one. */
    OpenStream(HttpServerResponse response, Context context) {
        this.response = response;
        this.context = context;
    }

    /** Whether the stream closed before its answer ended: the client reset it or closed the connection. */
    boolean resetBeforeAnswer() {
        return response.closed() && !response.ended();
    }

    /**
     * Runs {@code write} in a task of its own on the stream's event loop, if the stream is still open then: for writes
     * that may be made while the connection is being read (inside a call's listener, in the read that brought it).
     */
    void write(Runnable write) {
        synchronized (this) {
            queued.add(write);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        context.runOnContext(ignored -> writeQueued());
    }

    /**
     * Runs {@code write} at once if the stream is open and this is a task of the stream's own event loop with no
     * write queued before it, as an inference answer completed on its requesting context is; else as {@link #write}.
     */
    void writeOutsideRead(Runnable write) {
        boolean now;
        synchronized (this) {
            now = !scheduled && !writing && Context.isOnEventLoopThread() && Vertx.currentContext() == context;
        }
        if (now) {
            if (!response.closed()) {
                write.run();
            }
        } else {
            write(write);
        }
    }

    private void writeQueued() {
        List<Runnable> writes;
        synchronized (this) {
            writes = List.copyOf(queued);
            queued.clear();
            scheduled = false;
            writing = true;
        }
        try {
            for (Runnable write : writes) {
                if (!response.closed()) {
                    write.run();
                }
            }
        } finally {
            synchronized (this) {
                writing = false;
            }
        }
    }
}
