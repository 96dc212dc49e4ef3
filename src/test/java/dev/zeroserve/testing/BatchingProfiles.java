package dev.zeroserve.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** {@link TestModels#typedInputs()} behind batchers tuned so that tests can see batches and refusals form. */
public final class BatchingProfiles {
    public static final String MODEL = "typed-inputs";

    private BatchingProfiles() {
    }

    private static Map<String, String> serving(Map<String, String> batching) {
        Path file = TestModels.typedInputs().writeTo(TestModels.tempRepository().resolve(MODEL).resolve("1")
                .resolve("model.onnx"));
        Map<String, String> config = new HashMap<>(batching);
        config.put("zeroserve.model.uri", "file:" + file);
        return config;
    }

    /** Requests wait up to 500 ms for company, so concurrent ones share batches. */
    public static class Batching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return serving(Map.of("zeroserve.batching.max-queue-delay-micros", "500000",
                    "zeroserve.batching.max-batch-size", "64"));
        }
    }

    /** One worker that waits two seconds for company, and room for four rows: two more requests of two rows. */
    public static class Backpressure implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return serving(Map.of("zeroserve.batching.max-queue-delay-micros", "2000000",
                    "zeroserve.batching.queue-capacity", "4", "zeroserve.batching.parallel-batches", "1"));
        }
    }
}
