package dev.zeroserve.inference;

/** The protocols a request can arrive by: what an adapter names when it hands a request on, and a metrics label. */
public enum Protocol {
    REST,
    GRPC,
    /** The OpenAI-compatible embeddings API. */
    OPENAI;

    public String label() {
        return name().toLowerCase();
    }
}
