package dev.zeroserve.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Tracing on, as an OTLP endpoint turns it on; spans go to {@link InMemoryTraces}. */
public class TracingProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:4317");
    }
}
