package dev.zeroserve.api.transport;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The heap that requests in flight may hold at once: their bodies, inflated messages and what decoding them keeps.
 * A body of declared length is charged before a byte of it is read, and refused 503 with Retry-After when the budget
 * cannot take it now, 413 when it never could; what is learnt later (a compressed body's inflated size, a gRPC
 * message's size) is charged to the same exchange as it is learnt ({@link Reservation}). Each exchange gives back
 * what it was charged when it ends, however it ends.
 */
@ApplicationScoped
public class InFlightBudget {
    private static final Logger LOG = Logger.getLogger(InFlightBudget.class);
    static final String SETTING = "zeroserve.limits.in-flight-bytes";
    /**
     * Heap held per byte of a body as it is read and handed to a resource: Vert.x's buffer and the resource's copy of
     * it, released in turn. One 60 MB JSON body raised the heap in use by 87 MB (1.45 ×) with the images' flags.
     */
    static final double BODY_FACTOR = 1.5;
    /** Heap held per byte of a gRPC message while it is parsed: Vert.x's buffer and protobuf's copy of it. */
    public static final long GRPC_MESSAGE_FACTOR = 2;
    /** Live heap the server needs beside the requests (measured 45-66 MB after a GC), kept out of the default. */
    private static final long SERVER_RESERVE = 64L << 20;
    private static final int RETRY_AFTER_SECONDS = 1;

    private static final String PROVISIONAL = InFlightBudget.class.getName() + ".provisional";

    private final long capacity;
    private final long maxBodyBytes;
    private final long maxGrpcMessageBytes;
    private final AtomicLong used = new AtomicLong();
    private Counter busy;
    private Counter tooLarge;

    @Inject
    InFlightBudget(ZeroserveConfig config,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize,
            @ConfigProperty(name = "quarkus.grpc.server.max-inbound-message-size") int maxGrpcMessageBytes) {
        this(config.limits().inFlightBytes().map(MemorySize::asLongValue).orElseGet(InFlightBudget::derived),
                maxBodySize.asLongValue(), maxGrpcMessageBytes);
    }

    InFlightBudget(long capacity, long maxBodyBytes, long maxGrpcMessageBytes) {
        if (capacity <= 0) {
            throw new IllegalArgumentException(SETTING + " must be positive, not " + capacity);
        }
        this.capacity = capacity;
        this.maxBodyBytes = maxBodyBytes;
        this.maxGrpcMessageBytes = maxGrpcMessageBytes;
    }

    /** All of the heap but what the server itself needs, and at least half of it. */
    static long derived() {
        long heap = Runtime.getRuntime().maxMemory();
        return Math.max(heap - SERVER_RESERVE, heap / 2);
    }

    void register(@Observes StartupEvent started, MeterRegistry registry) {
        Gauge.builder("zeroserve.in_flight.request.bytes", used, AtomicLong::get).baseUnit("bytes")
                .description("Heap charged to the requests in flight (bodies, inflated and gRPC messages)")
                .register(registry);
        Gauge.builder("zeroserve.in_flight.request.bytes.limit", () -> capacity).baseUnit("bytes")
                .description("The in-flight budget (zeroserve.limits.in-flight-bytes)").register(registry);
        busy = refusals(registry, "busy");
        tooLarge = refusals(registry, "too_large");
    }

    private static Counter refusals(MeterRegistry registry, String reason) {
        return Counter.builder("zeroserve.in_flight.refusals").tag("reason", reason)
                .description("Requests refused by the in-flight budget: busy (503, retry) or too_large (413)")
                .register(registry);
    }

    void announce(@Observes StartupEvent started) {
        long largest = largestBody();
        if (largest < maxBodyBytes) {
            LOG.warnf("The in-flight budget (%s=%d bytes of a %d-byte heap) holds request bodies of at most %d bytes, "
                    + "less than quarkus.http.limits.max-body-size=%d: larger ones are refused 413. Give the JVM more "
                    + "heap (-Xmx) or lower the body limit.", SETTING, capacity, Runtime.getRuntime().maxMemory(),
                    largest, maxBodyBytes);
        } else {
            LOG.infof("In-flight budget %d bytes: %d concurrent bodies of the maximum size (%d bytes)", capacity,
                    capacity / bodyCost(maxBodyBytes), maxBodyBytes);
        }
        LOG.infof("Uncompressed gRPC calls hold %d bytes of the in-flight budget while their message arrives: %d "
                + "at once (quarkus.grpc.server.max-inbound-message-size=%d)", grpcProvisional(),
                capacity / grpcProvisional(), maxGrpcMessageBytes);
    }

    void install(@Observes Router router) {
        router.route().order(TransportOrder.IN_FLIGHT_BUDGET).handler(this::admit);
    }

    private void admit(RoutingContext context) {
        long declared = declaredLength(context);
        if (Refusals.isGrpc(context)) {
            // Compressed calls are charged by the relay as they arrive and inflate (CompressedCalls).
            if (uncompressedGrpc(context) && !holdProvisionally(context, declared)) {
                return;
            }
        } else if (declared > 0) {
            long cost = bodyCost(declared);
            if (cost > capacity) {
                count(tooLarge);
                Refusals.refuseUnread(context, 413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, "a request body of " + declared
                        + " bytes needs " + cost + " bytes of the in-flight budget, which holds " + capacity + " ("
                        + SETTING + ", derived from the heap)");
                return;
            }
            if (!Reservation.of(context, this).tryCharge(cost)) {
                count(busy);
                // Read and dropped rather than cut off, so that the client reads the 503 and knows to retry.
                context.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
                Refusals.refuse(context, 503, io.grpc.Status.Code.UNAVAILABLE, "the server holds as many request bytes "
                        + "as its memory allows (" + SETTING + "); retry shortly");
                return;
            }
        }
        context.next();
    }

    /**
     * Charges {@code bytes} more to the exchange of {@code context}: more of its body or message has become known.
     *
     * @throws InferenceException UNAVAILABLE with Retry-After when the budget cannot take it now, PAYLOAD_TOO_LARGE
     *         when the exchange would hold more than the whole budget
     */
    public void charge(RoutingContext context, long bytes, String what) {
        Reservation reservation = Reservation.of(context, this);
        if (reservation.tryCharge(bytes)) {
            return;
        }
        if (reservation.held() + bytes > capacity) {
            count(tooLarge);
            throw new InferenceException(Status.PAYLOAD_TOO_LARGE, what + " needs more than the " + capacity
                    + "-byte in-flight budget (" + SETTING + ", derived from the heap)");
        }
        count(busy);
        throw new InferenceException(Status.UNAVAILABLE, "the server holds as many request bytes as its memory "
                + "allows (" + SETTING + "); retry shortly", RETRY_AFTER_SECONDS);
    }

    private static void count(Counter refusals) {
        if (refusals != null) { // null until the meters are registered at start
            refusals.increment();
        }
    }

    /**
     * Vert.x's gRPC server reads a message whole before any code here sees it, and gRPC clients seldom declare a
     * length: an uncompressed call holds what its message may cost (twice the declared length, else twice the largest
     * message allowed, at most the whole budget) until its own is read and charged ({@link #settle}), so that messages
     * still arriving can never add up to more than the budget.
     *
     * @return whether the call may go on; if not, it has been answered
     */
    private boolean holdProvisionally(RoutingContext context, long declared) {
        long provisional = declared > 0 ? GRPC_MESSAGE_FACTOR * declared : grpcProvisional();
        if (provisional > capacity) {
            count(tooLarge);
            Refusals.refuseUnread(context, 413, io.grpc.Status.Code.RESOURCE_EXHAUSTED, "a gRPC message of " + declared
                    + " bytes needs " + provisional + " bytes of the in-flight budget, which holds " + capacity + " ("
                    + SETTING + ", derived from the heap)");
            return false;
        }
        if (!Reservation.of(context, this).tryCharge(provisional)) {
            count(busy);
            Refusals.refuse(context, 503, io.grpc.Status.Code.UNAVAILABLE, "the server holds as many request bytes as "
                    + "its memory allows (" + SETTING + "); retry shortly");
            return false;
        }
        context.put(PROVISIONAL, provisional);
        return true;
    }

    /**
     * Replaces what an uncompressed gRPC call held while its message arrived by what the message, now read, holds.
     *
     * @throws InferenceException as {@link #charge}
     */
    public void settle(RoutingContext context, long bytes, String what) {
        Long provisional = context.get(PROVISIONAL);
        if (provisional != null) {
            context.remove(PROVISIONAL);
            Reservation.of(context, this).giveBack(provisional);
        }
        charge(context, bytes, what);
    }

    /**
     * Gives back what a compressed call's reading and inflating held, but for its inflated message's {@code bytes}:
     * the relayed call, now uncompressed, is charged on its own.
     */
    public void keepOnly(RoutingContext context, long bytes) {
        Reservation reservation = Reservation.of(context, this);
        reservation.giveBack(reservation.held() - bytes);
    }

    private static boolean uncompressedGrpc(RoutingContext context) {
        if (!Refusals.isGrpc(context)) {
            return false;
        }
        String encoding = context.request().getHeader("grpc-encoding");
        return encoding == null || encoding.trim().equalsIgnoreCase("identity");
    }

    /**
     * What an uncompressed gRPC call holds while its message arrives: the largest message, twice (Vert.x's buffer, and
     * protobuf's copy as it parses), or the whole budget where that is more: a message that large is refused once its
     * size is known.
     */
    long grpcProvisional() {
        return Math.min(GRPC_MESSAGE_FACTOR * maxGrpcMessageBytes, capacity);
    }

    /** The budget a body of {@code bytes} takes while it is read and decoded. */
    public static long bodyCost(long bytes) {
        return (long) Math.ceil(bytes * BODY_FACTOR);
    }

    long largestBody() {
        return (long) (capacity / BODY_FACTOR);
    }

    long capacity() {
        return capacity;
    }

    /** Bytes charged by the exchanges in flight. */
    public long used() {
        return used.get();
    }

    boolean tryTake(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > capacity) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /** -1 when absent or not a byte count (HTTP/2 and chunked bodies need not declare one; gRPC calls never do). */
    private static long declaredLength(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
