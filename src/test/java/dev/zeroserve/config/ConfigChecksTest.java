package dev.zeroserve.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.TestConfig;

class ConfigChecksTest {

    @Test
    void theDefaultsPass() {
        ZeroserveConfig config = TestConfig.with(Map.of());
        assertThatCode(() -> ConfigChecks.serving(config, TestConfig.IDLE_TIMEOUT)).doesNotThrowAnyException();
        assertThatCode(() -> ConfigChecks.embeddings(config.embeddings(), 1)).doesNotThrowAnyException();
    }

    @Test
    void eachServingCheckNamesItsKeyAndValue() {
        assertServing("zeroserve.warmup.iterations", "0", "zeroserve.warmup.iterations=0: the model must be warmed up");
        assertServing("zeroserve.batching.max-batch-size", "0",
                "zeroserve.batching.max-batch-size=0: must be at least 1");
        assertServing("zeroserve.batching.queue-capacity", "0", "zeroserve.batching.queue-capacity=0: must be at least 1");
        assertServing("zeroserve.batching.parallel-batches", "0",
                "zeroserve.batching.parallel-batches=0: must be at least 1");
        assertServing("zeroserve.batching.max-queue-delay-micros", "-1",
                "zeroserve.batching.max-queue-delay-micros=-1: must be at least 0");
        assertServing("zeroserve.limits.max-request-timeout", "10S",
                "zeroserve.limits.max-request-timeout=PT10S: must be at least zeroserve.batching.request-timeout "
                        + "(PT30S)");
        assertServing("zeroserve.limits.max-request-timeout", "2M",
                "zeroserve.limits.max-request-timeout=PT2M: must be shorter than quarkus.http.idle-timeout (PT2M)");
    }

    @Test
    void eachEmbeddingsCheckNamesItsKeyAndValue() {
        assertEmbeddings(Map.of("zeroserve.embeddings.max-sequence-length", "0"), 1,
                "zeroserve.embeddings.max-sequence-length=0: must be at least 1");
        assertEmbeddings(Map.of("zeroserve.embeddings.max-inputs", "0"), 1,
                "zeroserve.embeddings.max-inputs=0: must be at least 1");
        assertEmbeddings(Map.of(), 0, "zeroserve.embeddings.max-input-characters=0: must be at least 1");
        assertEmbeddings(Map.of("zeroserve.embeddings.dimensions", "64,0"), 1,
                "zeroserve.embeddings.dimensions=0: must be at least 1");
    }

    @Test
    void theEngineDefaultsPassWithEveryProvider() {
        ZeroserveConfig config = TestConfig.with(Map.of("zeroserve.engine.execution-providers", "tensorrt,cuda,cpu"));
        assertThatCode(() -> ConfigChecks.engine(config.engine())).doesNotThrowAnyException();
    }

    @Test
    void eachEngineCheckNamesItsKeyAndValue() {
        assertEngine(Map.of("zeroserve.engine.device-id", "-1"), "zeroserve.engine.device-id=-1: must be at least 0");
        assertEngine(Map.of("zeroserve.engine.execution-providers", "tensorrt",
                "zeroserve.engine.tensorrt.max-workspace-size", "0"),
                "zeroserve.engine.tensorrt.max-workspace-size=0: must be at least 1");
        assertEngine(Map.of("zeroserve.engine.execution-providers", "tensorrt",
                "zeroserve.engine.tensorrt.int8-calibration-table", "table.cache"),
                "zeroserve.engine.tensorrt.int8-calibration-table=table.cache: is read only with "
                        + "zeroserve.engine.tensorrt.int8=true");
        assertEngine(Map.of("zeroserve.engine.execution-providers", "tensorrt", "zeroserve.engine.tensorrt.int8", "true",
                "zeroserve.engine.tensorrt.int8-calibration-table", "/etc/table.cache"),
                "zeroserve.engine.tensorrt.int8-calibration-table=/etc/table.cache: must be a file name");
        assertEngine(Map.of("zeroserve.engine.execution-providers", "cuda", "zeroserve.engine.cuda.gpu-mem-limit", "0"),
                "zeroserve.engine.cuda.gpu-mem-limit=0: must be at least 1");
    }

    @Test
    void optionsOfProvidersNotAskedForAreNotChecked() {
        ZeroserveConfig config = TestConfig.with(Map.of("zeroserve.engine.tensorrt.max-workspace-size", "0",
                "zeroserve.engine.cuda.gpu-mem-limit", "0"));
        assertThatCode(() -> ConfigChecks.engine(config.engine())).doesNotThrowAnyException();
    }

    private static void assertEngine(Map<String, String> settings, String message) {
        ZeroserveConfig config = TestConfig.with(settings);
        assertThatThrownBy(() -> ConfigChecks.engine(config.engine()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    private static void assertServing(String key, String value, String message) {
        ZeroserveConfig config = TestConfig.with(Map.of(key, value));
        assertThatThrownBy(() -> ConfigChecks.serving(config, TestConfig.IDLE_TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    private static void assertEmbeddings(Map<String, String> settings, int maxInputCharacters, String message) {
        ZeroserveConfig config = TestConfig.with(settings);
        assertThatThrownBy(() -> ConfigChecks.embeddings(config.embeddings(), maxInputCharacters))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }
}
