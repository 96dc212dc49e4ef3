package dev.zeroserve.inference;

import java.util.List;

/**
 * What a client asks to embed: texts, or token id sequences it tokenized itself, fed to the model as they are
 * (special tokens included only if the client put them in).
 */
public record EmbeddingInputs(List<String> texts, List<long[]> tokenIds) {
    public static EmbeddingInputs ofTexts(List<String> texts) {
        return new EmbeddingInputs(texts, null);
    }

    public static EmbeddingInputs ofTokenIds(List<long[]> tokenIds) {
        return new EmbeddingInputs(null, tokenIds);
    }

    public int size() {
        return texts != null ? texts.size() : tokenIds.size();
    }
}
