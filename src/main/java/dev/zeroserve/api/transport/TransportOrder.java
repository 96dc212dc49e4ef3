package dev.zeroserve.api.transport;

/**
 * The order in which the transport's handlers see a request, before any protocol adapter: the one place where it
 * is written down. Router routes take these orders directly; Quarkus's {@code Filters} register a handler with
 * priority p as a route of order -p, so filters take {@link #filterPriority(int)}.
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

    private TransportOrder() {
    }

    /** The {@code Filters} priority that runs a filter at {@code order}. */
    public static int filterPriority(int order) {
        return -order;
    }
}
