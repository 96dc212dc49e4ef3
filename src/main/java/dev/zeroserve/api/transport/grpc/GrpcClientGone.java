package dev.zeroserve.api.transport.grpc;

import java.util.concurrent.atomic.AtomicReference;

import dev.zeroserve.serving.ClientGone;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * A unary call's {@link ClientGone}: grpc-java's cancellation, which Vert.x's gRPC server reports when the client
 * resets the stream after its request has arrived (since Vert.x 4.5.27, eclipse-vertx/vert.x#5562; before, only the
 * HTTP exchange's end handler learnt of it, and since 4.5.27 that handler no longer does). The cancel handler must be
 * set while the service method runs, before the service may ask for it on another thread, so it is set here and
 * passes the cancellation on to whatever the service registers, now or later.
 */
public final class GrpcClientGone implements ClientGone {
    private static final Runnable CANCELLED = () -> {
    };

    /** What the service runs when the client goes, or {@link #CANCELLED} once it has gone. */
    private final AtomicReference<Runnable> abandon = new AtomicReference<>();

    private GrpcClientGone() {
    }

    public static ClientGone of(StreamObserver<?> response) {
        GrpcClientGone gone = new GrpcClientGone();
        ((ServerCallStreamObserver<?>) response).setOnCancelHandler(gone::cancelled);
        return gone;
    }

    private void cancelled() {
        Runnable registered = abandon.getAndSet(CANCELLED);
        if (registered != null && registered != CANCELLED) {
            registered.run();
        }
    }

    @Override
    public void onGone(Runnable abandon) {
        if (!this.abandon.compareAndSet(null, abandon)) {
            abandon.run(); // cancelled already
        }
    }
}
