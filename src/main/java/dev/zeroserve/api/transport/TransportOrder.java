package dev.zeroserve.api.transport;

import io.quarkus.grpc.runtime.Interceptors;

/**
 * The order in which the transport's handlers see a request, before any protocol adapter: the one place where it
 * is written down, for both mechanisms.
 * <p>
 * HTTP (every REST request and gRPC call): router routes take these orders directly, lowest first; Quarkus's
 * {@code Filters} register a handler with priority p as a route of order -p, so filters take
 * {@link #filterPriority(int)}.
 * <p>
 * gRPC interceptors (every call that reaches Vert.x's gRPC server, after the HTTP handlers above): Quarkus sorts its
 * own and ours by {@code Prioritized.getPriority()}, highest outermost; an interceptor without one has 0. Quarkus's
 * own, for reference: duplicated context {@link Interceptors#DUPLICATE_CONTEXT} (MAX_VALUE - 5), request context
 * (MAX_VALUE - 50), routing context (MAX_VALUE - 55), blocking (MAX_VALUE - 60), exception handler (MAX_VALUE - 70).
 */
public final class TransportOrder {
    /** API keys, from the headers alone: nothing of an unauthenticated request is read or counted. */
    public static final int API_KEYS = Integer.MIN_VALUE;
    /** Exchanges counted for the graceful drain. */
    public static final int OPEN_EXCHANGES = API_KEYS + 1;
    /** A declared body over the size limit refused unread. */
    public static final int BODY_SIZE = API_KEYS + 2;
    /** The in-flight byte budget reserved for the body, or the request refused unread. */
    public static final int IN_FLIGHT_BUDGET = API_KEYS + 3;
    /** REST content codings (415 for unknown ones). */
    public static final int CONTENT_ENCODINGS = API_KEYS + 4;
    /** A gRPC call's exchange kept in its Vert.x context, for its answer's guard and the budget's settling. */
    public static final int GRPC_EXCHANGES = API_KEYS + 5;
    /** gRPC message encodings: compressed calls inflated here, within the budget, and relayed. */
    public static final int GRPC_ENCODINGS = API_KEYS + 6;

    /**
     * Interceptor: every call answers through its stream guard. Outside every other interceptor, ours and Quarkus's
     * (request context, blocking, exceptions), so that all of them answer through it; inside Quarkus's
     * duplicated-context one, which sets up the context the exchange is kept in.
     */
    public static final int GRPC_EXCHANGES_INTERCEPTOR = Interceptors.DUPLICATE_CONTEXT - 5;
    /** Interceptor: the client's grpc-timeout as the call's deadline, set before the service and its checks run. */
    public static final int GRPC_DEADLINE_INTERCEPTOR = 1;
    /** Interceptor (registered on the inference service only): malformed messages answered INVALID_ARGUMENT. */
    public static final int GRPC_MALFORMED_MESSAGES_INTERCEPTOR = 0;

    private TransportOrder() {
    }

    /** The {@code Filters} priority that runs a filter at {@code order}. */
    public static int filterPriority(int order) {
        return -order;
    }
}
