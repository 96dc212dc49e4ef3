package dev.zeroserve.api.rest;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The v2 protocol's small JSON documents (tensor data has its own streaming codec). Registered for reflection, so
 * that Jackson can write them in a native executable too, also where they travel inside a {@code Response}.
 */
@RegisterForReflection(targets = { V2Json.ErrorBody.class, V2Json.ServerMetadata.class, V2Json.Live.class,
        V2Json.Ready.class, V2Json.ModelReady.class, V2Json.TensorMetadata.class, V2Json.ModelMetadataBody.class })
final class V2Json {
    private V2Json() {
    }

    record ErrorBody(String error) {
    }

    record ServerMetadata(String name, String version, List<String> extensions) {
    }

    record Live(boolean live) {
    }

    record Ready(boolean ready) {
    }

    record ModelReady(String name, boolean ready) {
    }

    record TensorMetadata(String name, String datatype, long[] shape) {
        static TensorMetadata of(TensorSpec spec) {
            return new TensorMetadata(spec.name(), spec.dataType().name(), spec.shape());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record ModelMetadataBody(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs, Map<String, String> properties) {
        static ModelMetadataBody of(ModelMetadata metadata) {
            return new ModelMetadataBody(metadata.name(), List.of(metadata.version()), metadata.platform(),
                    metadata.inputs().stream().map(TensorMetadata::of).toList(),
                    metadata.outputs().stream().map(TensorMetadata::of).toList(), metadata.properties());
        }
    }
}
