package dev.zeroserve.inference;

/** A 400 that names the field of the embeddings request at fault ("input", "dimensions", "model"). */
public final class InvalidEmbeddingRequest extends InferenceException {
    private final String field;

    public InvalidEmbeddingRequest(String field, String message) {
        super(Status.INVALID_ARGUMENT, message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
