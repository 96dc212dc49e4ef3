package dev.zeroserve.api.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.grpc.runtime.Interceptors;

/** The relations TransportOrder's comments promise, against Quarkus's own interceptor priorities of this version. */
class TransportOrderTest {
    @Test
    void httpHandlersRunInTheWrittenOrder() {
        assertThat(new int[] { TransportOrder.API_KEYS, TransportOrder.OPEN_EXCHANGES, TransportOrder.BODY_SIZE,
                TransportOrder.IN_FLIGHT_BUDGET, TransportOrder.CONTENT_ENCODINGS, TransportOrder.GRPC_EXCHANGES,
                TransportOrder.GRPC_ENCODINGS }).isSorted().doesNotHaveDuplicates();
        assertThat(TransportOrder.filterPriority(TransportOrder.OPEN_EXCHANGES))
                .isGreaterThan(TransportOrder.filterPriority(TransportOrder.GRPC_EXCHANGES));
    }

    @Test
    void theStreamGuardWrapsEveryInterceptorButTheDuplicatedContext() {
        assertThat(TransportOrder.GRPC_EXCHANGES_INTERCEPTOR).isLessThan(Interceptors.DUPLICATE_CONTEXT)
                .isGreaterThan(Interceptors.REQUEST_CONTEXT).isGreaterThan(TransportOrder.GRPC_DEADLINE_INTERCEPTOR);
        assertThat(TransportOrder.GRPC_DEADLINE_INTERCEPTOR)
                .isGreaterThan(TransportOrder.GRPC_MALFORMED_MESSAGES_INTERCEPTOR);
    }
}
