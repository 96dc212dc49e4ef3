package dev.zeroserve.api.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.RawHttp;
import dev.zeroserve.testing.TypedInputsModelProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A body over the limit without a Content-Length is refused by Quarkus while it arrives; its exchange must still end,
 * or every later drain waits its whole timeout for it.
 */
@QuarkusTest
@TestProfile(TypedInputsModelProfile.class)
class RefusedBodyTest {
    @TestHTTPResource("/")
    URL base;

    @Inject
    OpenExchanges exchanges;

    @Test
    void aChunkedBodyOverTheLimitLeavesNoOpenExchange() throws Exception {
        Await.modelReady();
        RawHttp.RawResponse response = RawHttp.postChunked(base, "/v2/models/" + TypedInputsModelProfile.NAME
                + "/infer", 2 * TypedInputsModelProfile.MAX_BODY_BYTES);
        assertThat(response.head()).startsWith("HTTP/1.1 413");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (exchanges.open() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(exchanges.open()).as("exchanges still open after the refusal").isZero();
    }
}
