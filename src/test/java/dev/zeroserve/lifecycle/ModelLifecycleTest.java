package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ModelLifecycleTest {
    private static final InferenceMetrics METRICS = new InferenceMetrics(new SimpleMeterRegistry());
    private static final WarmupRequestDecoder NO_WARMUP_FILE = (body, metadata) -> {
        throw new AssertionError("no warm-up file is read before the model loads");
    };

    @Test
    void beforeTheModelIsLoadedItsNameIsKnownButNotReady() {
        ModelLifecycle lifecycle = new ModelLifecycle(TestConfig.with(Map.of()), METRICS, NO_WARMUP_FILE);
        assertThat(lifecycle.state()).isEqualTo(ModelLifecycle.State.LOADING);
        assertThat(lifecycle.isReady()).isFalse();
        assertThatThrownBy(() -> lifecycle.resolve("all-minilm-l6-v2", null))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.UNAVAILABLE))
                .hasMessageContaining("not ready (loading)");
        assertThatThrownBy(() -> lifecycle.resolve("other", null))
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.NOT_FOUND))
                .hasMessageContaining("serves 'all-minilm-l6-v2'");
    }

    @Test
    void configurationErrorsNameTheKey() {
        assertThatThrownBy(() -> new ModelLifecycle(TestConfig.with(Map.of("zeroserve.warmup.iterations", "0")),
                METRICS, NO_WARMUP_FILE))
                .hasMessageContaining("zeroserve.warmup.iterations=0");
        assertThatThrownBy(() -> new ModelLifecycle(TestConfig.with(Map.of("zeroserve.model.uri", "http://x")),
                METRICS, NO_WARMUP_FILE))
                .hasMessageContaining("zeroserve.model.uri=http://x");
        assertThatThrownBy(() -> new ModelLifecycle(TestConfig.with(Map.of("zeroserve.batching.queue-capacity", "0")),
                METRICS, NO_WARMUP_FILE)).hasMessageContaining("zeroserve.batching.queue-capacity=0: must be at least 1");
    }
}
