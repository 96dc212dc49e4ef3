package dev.zeroserve.api;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** What the server metadata of every protocol says about this server. */
@ApplicationScoped
public class ServerInfo {
    /**
     * The v2 protocol extensions served: Triton's binary tensor data, parameters, model configuration and
     * statistics.
     */
    public static final List<String> EXTENSIONS = List.of("binary_tensor_data", "parameters", "model_configuration",
            "statistics");

    private final String version;

    ServerInfo(@ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.version = version;
    }

    public String name() {
        return "zeroserve";
    }

    public String version() {
        return version;
    }

    public List<String> extensions() {
        return EXTENSIONS;
    }
}
