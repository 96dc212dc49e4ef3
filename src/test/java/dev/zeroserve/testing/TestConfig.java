package dev.zeroserve.testing;

import java.time.Duration;
import java.util.Map;

import dev.zeroserve.config.ZeroserveConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The real configuration mapping, with its real defaults, built outside Quarkus for unit tests. */
public final class TestConfig {
    /** quarkus.http.idle-timeout as application.properties sets it, for classes that take it outside Quarkus. */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);

    private TestConfig() {
    }

    public static ZeroserveConfig with(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withMapping(ZeroserveConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build()
                .getConfigMapping(ZeroserveConfig.class);
    }
}
