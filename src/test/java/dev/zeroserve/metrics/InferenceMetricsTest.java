package dev.zeroserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.scheduling.BatchingSettings;
import dev.zeroserve.scheduling.DynamicBatcher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The per-request meters, kept once registered: counted under the tags of the model being served at the time. */
class InferenceMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final InferenceMetrics metrics = new InferenceMetrics(registry);

    @Test
    void requestsAreCountedPerProtocolAndReasonUnderTheModelServedThen() throws Exception {
        metrics.requestFailed(Protocol.REST, Status.UNAVAILABLE, 1_000_000);
        metrics.requestFailed(Protocol.REST, Status.UNAVAILABLE, 1_000_000);

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        DynamicBatcher batcher = new DynamicBatcher((batch, observer, alone) -> List.of(),
                new BatchingSettings(1, 0, 1, 1, 0), timers, metrics.batchObserver());
        try {
            TensorSpec spec = new TensorSpec("x", DataType.FP32, new long[] { -1 });
            metrics.modelReady(new ModelMetadata("m", "1", ModelMetadata.PLATFORM, List.of(spec), List.of(spec),
                    Map.of(ModelMetadata.EXECUTION_PROVIDER, "cpu")), batcher, 0);
            for (int i = 0; i < 3; i++) {
                metrics.requestSucceeded(Protocol.OPENAI, 2_000_000);
            }
            metrics.requestTokens(Protocol.OPENAI, 7);
            metrics.requestTokens(Protocol.OPENAI, 5);
            metrics.requestFailed(Protocol.GRPC, Status.DEADLINE_EXCEEDED, 3_000_000);
            metrics.requestFailed(Protocol.GRPC, Status.INVALID_ARGUMENT, 3_000_000);
        } finally {
            batcher.close();
            timers.shutdownNow();
        }

        assertThat(registry.get("zeroserve.request.failure").tags("model", "", "protocol", "rest", "reason",
                "rejected").counter().count()).isEqualTo(2);
        assertThat(registry.get("zeroserve.request.success").tags("model", "m", "version", "1", "protocol",
                "openai").counter().count()).isEqualTo(3);
        assertThat(registry.get("zeroserve.request.duration").tags("model", "m", "protocol", "openai").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(6);
        assertThat(registry.get("zeroserve.request.tokens").tags("model", "m", "protocol", "openai").summary()
                .totalAmount()).isEqualTo(12);
        for (String reason : List.of("timeout", "invalid")) {
            assertThat(registry.get("zeroserve.request.failure").tags("model", "m", "protocol", "grpc", "reason",
                    reason).counter().count()).as(reason).isEqualTo(1);
        }
        // Series appear with a protocol's first request: none for REST successes, nor for the model's REST failures.
        assertThat(registry.find("zeroserve.request.success").tags("protocol", "rest").counters()).isEmpty();
        assertThat(registry.find("zeroserve.request.failure").tags("model", "m", "protocol", "rest").counters())
                .isEmpty();
        assertThat(registry.find("zeroserve.request.tokens").tags("protocol", "grpc").summaries()).isEmpty();
    }
}
