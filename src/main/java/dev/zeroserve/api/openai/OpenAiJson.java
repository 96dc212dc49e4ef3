package dev.zeroserve.api.openai;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The OpenAI API's JSON documents, field for field. Registered for reflection, so that Jackson can write them in a
 * native executable too, also where they travel inside a {@code Response} or are written outside JAX-RS.
 */
@RegisterForReflection(targets = { OpenAiJson.Embedding.class, OpenAiJson.Usage.class, OpenAiJson.EmbeddingList.class,
        OpenAiJson.Model.class, OpenAiJson.ModelList.class, OpenAiJson.Error.class, OpenAiJson.ErrorBody.class })
final class OpenAiJson {
    static final String LIST = "list";

    private OpenAiJson() {
    }

    /** @param embedding a float[] or, for {@code encoding_format=base64}, the little-endian float32 bytes in base64 */
    record Embedding(String object, int index, @JsonSerialize(using = EmbeddingValues.class) Object embedding) {
        Embedding(int index, Object embedding) {
            this("embedding", index, embedding);
        }
    }

    record Usage(@JsonProperty("prompt_tokens") long promptTokens, @JsonProperty("total_tokens") long totalTokens) {
    }

    record EmbeddingList(String object, List<Embedding> data, String model, Usage usage) {
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
