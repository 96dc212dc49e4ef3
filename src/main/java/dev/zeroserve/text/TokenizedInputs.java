package dev.zeroserve.text;

/**
 * The inputs of one embeddings request as token ids, one sequence per text, and each token's type id (0 for a text
 * of one segment).
 */
public record TokenizedInputs(long[][] ids, long[][] typeIds) {
    public int size() {
        return ids.length;
    }
}
