package dev.zeroserve.api.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeadlineInterceptorTest {
    @Test
    void grpcTimeoutHeadersParse() {
        assertThat(DeadlineInterceptor.timeoutNanos("1n")).isEqualTo(1);
        assertThat(DeadlineInterceptor.timeoutNanos("30S")).isEqualTo(30_000_000_000L);
        assertThat(DeadlineInterceptor.timeoutNanos("2H")).isEqualTo(7_200_000_000_000L);
        assertThat(DeadlineInterceptor.timeoutNanos("100m")).isEqualTo(100_000_000L);
        assertThat(DeadlineInterceptor.timeoutNanos("5x")).isEqualTo(-1);
        assertThat(DeadlineInterceptor.timeoutNanos(null)).isEqualTo(-1);
    }
}
