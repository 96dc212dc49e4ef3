package dev.zeroserve.api.openai;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The OpenAI API's JSON documents, field for field (the embeddings answer is written by {@link EmbeddingsResponse}).
 * Registered for reflection, so that Jackson can write them in a native executable too, also where they travel inside
 * a {@code Response} or are written outside JAX-RS.
 */
@RegisterForReflection(targets = { OpenAiJson.Model.class, OpenAiJson.ModelList.class, OpenAiJson.Error.class,
        OpenAiJson.ErrorBody.class })
final class OpenAiJson {
    static final String LIST = "list";

    private OpenAiJson() {
    }

    record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
        Model(String id, long created) {
            this(id, "model", created, "zeroserve");
        }
    }

    record ModelList(String object, List<Model> data) {
    }

    /** {@code param} and {@code code} are null when they do not apply, and present as null, as OpenAI sends them. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Error(String message, String type, String param, String code) {
    }

    record ErrorBody(Error error) {
    }
}
