package dev.zeroserve.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The bundled model behind settings that let the embeddings tests see batches form, truncation and cut sizes. */
public final class EmbeddingsProfiles {
    private EmbeddingsProfiles() {
    }

    /** Requests wait up to two seconds for company; long inputs are cut; 128 dimensions may be asked for. */
    public static class BatchingTruncating implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zeroserve.batching.max-queue-delay-micros", "2000000",
                    "zeroserve.batching.max-batch-size", "64",
                    "zeroserve.embeddings.truncate", "true",
                    "zeroserve.embeddings.dimensions", "128");
        }
    }
}
