package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.WarmupRequestDecoder;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.TestConfig;
import dev.zeroserve.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ModelLifecycleTest {
    private static final InferenceMetrics METRICS = new InferenceMetrics(new SimpleMeterRegistry());
    private static final WarmupRequestDecoder NO_WARMUP_FILE = (body, metadata, maxElements) -> {
        throw new AssertionError("no warm-up file is read before the model loads");
    };

    @Test
    void beforeTheModelIsLoadedItsNameIsKnownButNotReady() {
        ModelLifecycle lifecycle = new ModelLifecycle(TestConfig.with(Map.of()), TestConfig.IDLE_TIMEOUT, METRICS,
                NO_WARMUP_FILE);
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
        assertThatThrownBy(() -> lifecycle(Map.of("zeroserve.warmup.iterations", "0")))
                .hasMessageContaining("zeroserve.warmup.iterations=0");
        assertThatThrownBy(() -> lifecycle(Map.of("zeroserve.model.uri", "http://x")))
                .hasMessageContaining("zeroserve.model.uri=http://x");
        assertThatThrownBy(() -> lifecycle(Map.of("zeroserve.batching.queue-capacity", "0")))
                .hasMessageContaining("zeroserve.batching.queue-capacity=0: must be at least 1");
        assertThatThrownBy(() -> lifecycle(Map.of("zeroserve.limits.max-request-timeout", "10S")))
                .hasMessageContaining("zeroserve.limits.max-request-timeout=PT10S: must be at least "
                        + "zeroserve.batching.request-timeout (PT30S)");
        assertThatThrownBy(() -> lifecycle(Map.of("zeroserve.limits.max-request-timeout", "2M")))
                .hasMessageContaining("zeroserve.limits.max-request-timeout=PT2M: must be shorter than "
                        + "quarkus.http.idle-timeout (PT2M)");
    }

    private static ModelLifecycle lifecycle(Map<String, String> settings) {
        return new ModelLifecycle(TestConfig.with(settings), TestConfig.IDLE_TIMEOUT, METRICS, NO_WARMUP_FILE);
    }

    @Test
    void aWarmupFileBesideTheModelIsWhatItWarmsUpOn() throws Exception {
        Path file = TestModels.reshape().writeTo(TestModels.tempRepository().resolve("reshape").resolve("1")
                .resolve("model.onnx"));
        Files.writeString(file.resolveSibling("warmup.json"), "the sample request");
        List<String> decoded = new CopyOnWriteArrayList<>();
        // The shape input [2, 3] that zeros cannot give: a warm-up on zeros would fail and warn.
        WarmupRequestDecoder decoder = (body, metadata, maxElements) -> {
            decoded.add(new String(body, StandardCharsets.UTF_8));
            return new InferenceRequest(metadata.name(), metadata.version(), "", Map.of(), List.of(
                    Tensor.of("data", DataType.FP32, new long[] { 6 }, ByteBuffer.allocate(24)),
                    Tensor.of("shape", DataType.INT64, new long[] { 2 },
                            ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(2).putLong(3).flip())),
                    List.of(), InferenceRequest.NO_DEADLINE);
        };
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(String.valueOf(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(ModelWarmUp.class.getName());
        log.addHandler(handler);
        ModelLifecycle lifecycle = new ModelLifecycle(TestConfig.with(Map.of("zeroserve.model.uri", "file:" + file)),
                TestConfig.IDLE_TIMEOUT, METRICS, decoder);
        try {
            lifecycle.onStart(null);
            Await.until(Duration.ofSeconds(30), () -> lifecycle.state() != ModelLifecycle.State.LOADING);
            assertThat(lifecycle.state()).isEqualTo(ModelLifecycle.State.READY);
            assertThat(decoded).containsExactly("the sample request");
            assertThat(warnings).as("warm-up warnings").isEmpty();
        } finally {
            log.removeHandler(handler);
            lifecycle.onStop(null);
        }
    }
}
