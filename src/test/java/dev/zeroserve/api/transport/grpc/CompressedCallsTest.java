package dev.zeroserve.api.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The relayed call's grpc-timeout: what is left of the client's, in gRPC's wire form (at most 8 digits). */
class CompressedCallsTest {
    @Test
    void theRemainingTimeoutIsWrittenInTheFinestUnitThatFits() {
        assertThat(CompressedCalls.timeoutHeader(TimeUnit.MILLISECONDS.toNanos(1500))).isEqualTo("1500000u");
        assertThat(CompressedCalls.timeoutHeader(TimeUnit.SECONDS.toNanos(200))).isEqualTo("200000m");
        assertThat(CompressedCalls.timeoutHeader(TimeUnit.DAYS.toNanos(3))).isEqualTo("259200S");
        assertThat(CompressedCalls.timeoutHeader(10)).isEqualTo("1u");
        for (long nanos : new long[] { 1, 99_999_999_999L, 100_000_000_000L, Long.MAX_VALUE }) {
            String header = CompressedCalls.timeoutHeader(nanos);
            assertThat(header.length()).as(header).isLessThanOrEqualTo(9);
            assertThat(DeadlineInterceptor.timeoutNanos(header)).as(header).isPositive();
        }
    }
}
