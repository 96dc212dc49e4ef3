package dev.zeroserve.inference;

import java.util.List;

/** The answer to an embeddings request: embeddings in the order of the inputs, and the tokens they came from. */
public record Embeddings(List<float[]> vectors, long promptTokens) {
}
