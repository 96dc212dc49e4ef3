package dev.zeroserve.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The bundled model behind settings that let the embeddings tests see batches form, truncation and cut sizes; models of
 * the tests' own with the bundled tokenizer.
 */
public final class EmbeddingsProfiles {
    private EmbeddingsProfiles() {
    }

    public static final String TOKEN_MIXER = "token-mixer";

    /**
     * {@link TestModels#tokenMixer()} with the bundled tokenizer beside it (found without configuration), behind a
     * batcher that waits up to two seconds for company.
     */
    public static class FloatModelBatching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zeroserve.model.uri", "file:" + withTokenizer(TestModels.tokenMixer(), TOKEN_MIXER),
                    "zeroserve.batching.max-queue-delay-micros", "2000000",
                    "zeroserve.batching.max-batch-size", "64",
                    // one worker: a second, idle one could start a second batch of the same length bucket
                    "zeroserve.batching.parallel-batches", "1");
        }
    }

    public static final String FAILING_MIXER = "failing-mixer";

    /** {@link TestModels#failingMixer()} with the bundled tokenizer beside it: every request fails INTERNAL. */
    public static class FailingModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zeroserve.model.uri", "file:" + withTokenizer(TestModels.failingMixer(), FAILING_MIXER));
        }
    }

    /** Writes the model into a repository of its own, with the bundled tokenizer beside it (found there unasked). */
    public static Path withTokenizer(OnnxModelWriter writer, String name) {
        Path model = writer.writeTo(TestModels.tempRepository().resolve(name).resolve("1").resolve("model.onnx"));
        try (InputStream tokenizer = EmbeddingsProfiles.class.getClassLoader()
                .getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json")) {
            Files.copy(tokenizer, model.resolveSibling("tokenizer.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }

    /**
     * The bundled int8 model batched across requests, as zeroserve.batching.policy=batch allows at the cost of
     * exactness; requests wait up to two seconds for company; long inputs are cut; 128 dimensions may be asked for.
     */
    public static class BatchingTruncating implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("zeroserve.batching.policy", "batch",
                    "zeroserve.batching.max-queue-delay-micros", "2000000",
                    "zeroserve.batching.max-batch-size", "64",
                    "zeroserve.embeddings.truncate", "true",
                    "zeroserve.embeddings.dimensions", "128",
                    // one worker: a second, idle one could start a second batch of the same length bucket
                    "zeroserve.batching.parallel-batches", "1");
        }
    }
}
