package dev.zeroserve.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The bundled model with the fake NVML (two GPUs, read every 100 ms) and a queue small enough that a burst of
 * requests meets refusals: every meter the dashboard shows gets samples.
 */
public class ObservabilityProfile implements QuarkusTestProfile {
    public static final int QUEUE_CAPACITY = 2;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("zeroserve.gpu.nvml-library", FakeNvml.library(),
                "zeroserve.gpu.metrics-interval", "0.1S",
                "zeroserve.batching.queue-capacity", String.valueOf(QUEUE_CAPACITY),
                "zeroserve.batching.parallel-batches", "1");
    }
}
