package dev.zeroserve.testing;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The bundled model behind bounds short enough to watch them act: connections idle for {@link #IDLE_TIMEOUT} close,
 * a request may ask to wait at most {@link #MAX_REQUEST_TIMEOUT} ({@link #REQUEST_TIMEOUT} if it does not ask), and
 * the first request of a batch is held {@link #QUEUE_DELAY} for company, so that a request queued behind it waits
 * for its own deadline to pass.
 */
public class TransportBoundsProfile implements QuarkusTestProfile {
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);
    public static final Duration QUEUE_DELAY = Duration.ofSeconds(3);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.http.idle-timeout", IDLE_TIMEOUT.toMillis() + "ms",
                "zeroserve.limits.max-request-timeout", MAX_REQUEST_TIMEOUT.toMillis() + "ms",
                "zeroserve.batching.request-timeout", REQUEST_TIMEOUT.toMillis() + "ms",
                "zeroserve.batching.max-queue-delay-micros", Long.toString(QUEUE_DELAY.toNanos() / 1000),
                // The bundled model runs row by row otherwise, and a batch of one row never waits for company.
                "zeroserve.batching.policy", "batch");
    }
}
