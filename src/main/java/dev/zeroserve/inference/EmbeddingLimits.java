package dev.zeroserve.inference;

/**
 * What one embeddings request may hold, for a reader that bounds a body as it parses it.
 *
 * @param maxInputs the most inputs of one request (zeroserve.embeddings.max-inputs)
 * @param maxInputCharacters the most characters of a text that is not cut (zeroserve.embeddings.max-input-characters)
 * @param maxSequenceLength the most tokens of one input (zeroserve.embeddings.max-sequence-length)
 * @param truncate whether longer inputs are cut rather than refused
 */
public record EmbeddingLimits(int maxInputs, int maxInputCharacters, int maxSequenceLength, boolean truncate) {
    /**
     * How many times the character bound a text may have when longer texts are cut: a body's text is read whole before
     * it can be cut, and beyond this the reading alone would cost more than the embedding.
     */
    public static final int TRUNCATED_TEXT_FACTOR = 4;

    /** The longest string a body may hold: one character more than a text may have, so the embedder names the bound. */
    public int longestText() {
        long longest = truncate ? (long) maxInputCharacters * TRUNCATED_TEXT_FACTOR : maxInputCharacters + 1L;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(longest, 1024));
    }
}
