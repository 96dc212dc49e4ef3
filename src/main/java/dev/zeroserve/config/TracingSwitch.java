package dev.zeroserve.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Traces are on exactly when an OTLP endpoint is configured: {@code quarkus.otel.sdk.disabled}, unless set itself,
 * follows whether {@code quarkus.otel.exporter.otlp[.traces].endpoint} is set, so one setting turns tracing on and no
 * service exports spans to a collector that is not there (Quarkus would default to localhost:4317).
 */
public final class TracingSwitch implements ConfigSourceInterceptor {
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    private static final String[] ENDPOINTS = { "quarkus.otel.exporter.otlp.endpoint",
            "quarkus.otel.exporter.otlp.traces.endpoint" };
    /** Sources below this ordinal are Quarkus's defaults; configuration files, .env, environment and -D are above. */
    private static final int USER_SOURCES = 100;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!SDK_DISABLED.equals(name) || configured(value)) {
            return value;
        }
        boolean endpoint = false;
        for (String key : ENDPOINTS) {
            endpoint |= configured(context.proceed(key));
        }
        return ConfigValue.builder().withName(name).withValue(String.valueOf(!endpoint))
                .withConfigSourceName(TracingSwitch.class.getSimpleName()).withConfigSourceOrdinal(USER_SOURCES)
                .build();
    }

    private static boolean configured(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank()
                && value.getConfigSourceOrdinal() >= USER_SOURCES;
    }
}
