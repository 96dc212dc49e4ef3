package dev.zeroserve.serving;

import java.util.List;

/**
 * What the server metadata of every protocol says about this server.
 *
 * @param extensions the v2 protocol extensions served
 */
public record ServerMetadata(String name, String version, List<String> extensions) {
    /** Triton's binary tensor data, parameters, model configuration and statistics. */
    public static final List<String> EXTENSIONS = List.of("binary_tensor_data", "parameters", "model_configuration",
            "statistics");
    static final String NAME = "zeroserve";
}
