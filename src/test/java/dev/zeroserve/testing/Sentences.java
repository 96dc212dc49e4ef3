package dev.zeroserve.testing;

import java.util.List;

/** English sentences for the embeddings tests and benchmark. */
public final class Sentences {
    /** A fixed set, short to long, punctuation and case included. */
    public static final List<String> FIXED = List.of(
            "The cat sits on the mat.",
            "A quick brown fox jumps over the lazy dog.",
            "Embeddings map sentences to vectors so that similar meanings lie close together.",
            "How do I reset my password?",
            "Zeroserve batches concurrent requests of similar length into one ONNX Runtime call, padding each "
                    + "sequence to the longest in its batch and masking the padding out.",
            "Paris is the capital of France.");

    /** About 12 tokens with [CLS] and [SEP]. */
    public static final String SHORT = "The weather in Lisbon is sunny and warm today.";

    /** About 120 tokens with [CLS] and [SEP]. */
    public static final String LONG = "Sentence embeddings turn a piece of text into a fixed-size vector of numbers, "
            + "chosen so that texts with similar meanings end up close to each other, which makes them useful for "
            + "semantic search, clustering, duplicate detection and retrieval for question answering. A small model "
            + "such as this one reads at most a few hundred word pieces, so long documents are usually split into "
            + "passages before they are embedded, and each passage is stored with its vector in a database that "
            + "can find the nearest neighbours of a query quickly, even among millions of passages, on ordinary "
            + "hardware without a graphics card.";

    private Sentences() {
    }
}
