package dev.zeroserve.testing;

import dev.zeroserve.metrics.ColdStart;
import dev.zeroserve.metrics.InferenceMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The meters of a server whose Quarkus start has completed, for the lifecycle outside a Quarkus boot. */
public final class StartedServerMetrics {
    private StartedServerMetrics() {
    }

    public static InferenceMetrics create() {
        InferenceMetrics metrics = new InferenceMetrics(new SimpleMeterRegistry());
        metrics.coldStart().reached(ColdStart.Phase.QUARKUS_STARTED);
        return metrics;
    }
}
