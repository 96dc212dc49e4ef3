package dev.zeroserve.api.transport.grpc;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Prioritized;

import dev.zeroserve.api.transport.TransportOrder;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Turns the client's {@code grpc-timeout} into a deadline the service can check. gRPC served by the HTTP server
 * (Vert.x) does not set {@link Context#getDeadline()}, so the header is read here, the moment the call arrives.
 */
@ApplicationScoped
@GlobalInterceptor
public class DeadlineInterceptor implements ServerInterceptor, Prioritized {
    private static final Context.Key<Long> DEADLINE_NANOS = Context.key("zeroserve-deadline-nanos");
    static final String TIMEOUT_HEADER = "grpc-timeout";
    private static final Metadata.Key<String> GRPC_TIMEOUT = Metadata.Key.of(TIMEOUT_HEADER,
            Metadata.ASCII_STRING_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long timeout = timeoutNanos(headers.get(GRPC_TIMEOUT));
        if (timeout < 0) {
            return next.startCall(call, headers);
        }
        Context context = Context.current().withValue(DEADLINE_NANOS, System.nanoTime() + timeout);
        return Contexts.interceptCall(context, call, headers, next);
    }

    @Override
    public int getPriority() {
        return TransportOrder.GRPC_DEADLINE_INTERCEPTOR;
    }

    /** The current call's deadline as a {@link System#nanoTime()}, or {@code none} if the client set no timeout. */
    public static long deadlineNanos(long none) {
        Long fromHeader = DEADLINE_NANOS.get();
        if (fromHeader != null) {
            return fromHeader;
        }
        Deadline deadline = Context.current().getDeadline();
        return deadline == null ? none : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** Parses the gRPC wire form: up to 8 digits and a unit (H, M, S, m, u, n); -1 if absent or malformed. */
    static long timeoutNanos(String header) {
        if (header == null || header.length() < 2 || header.length() > 9) {
            return -1;
        }
        long amount;
        try {
            amount = Long.parseLong(header.substring(0, header.length() - 1));
        } catch (NumberFormatException e) {
            return -1;
        }
        TimeUnit unit = switch (header.charAt(header.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null || amount < 0 ? -1 : unit.toNanos(amount);
    }
}
