package dev.zeroserve.testing;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.arc.Unremovable;

/**
 * Spans kept in memory instead of sent to a collector: a SpanExporter bean takes the OTLP exporter's place. It exists
 * in every test application; only those that configure an endpoint (TracingProfile) turn the SDK on.
 */
@Singleton
public class InMemoryTraces {
    @Produces
    @Singleton
    @Unremovable
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
