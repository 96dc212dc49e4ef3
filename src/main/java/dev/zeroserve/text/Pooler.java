package dev.zeroserve.text;

import java.nio.FloatBuffer;

import dev.zeroserve.config.ZeroserveConfig.Pooling;

/** Turns the token vectors of one text into its embedding, as sentence-transformers does. */
public final class Pooler {
    private Pooler() {
    }

    /**
     * @param hidden token vectors of a batch, [rows, sequence, hiddenSize], row-major
     * @param row the text's row
     * @param sequence the batch's (padded) sequence length
     * @param length the text's own token count: positions from it on are padding and take no part
     */
    public static float[] pool(Pooling pooling, FloatBuffer hidden, int row, int sequence, int length,
            int hiddenSize) {
        float[] embedding = new float[hiddenSize];
        int start = row * sequence * hiddenSize;
        if (pooling == Pooling.CLS) {
            hidden.get(start, embedding);
            return embedding;
        }
        // Each token's vector copied out in bulk: reading a byte buffer's float view value by value cost more than
        // the sums. The sums keep their order (position by position), and so their rounding.
        float[] token = new float[hiddenSize];
        for (int position = 0; position < length; position++) {
            hidden.get(start + position * hiddenSize, token);
            for (int i = 0; i < hiddenSize; i++) {
                embedding[i] += token[i];
            }
        }
        float count = Math.max(length, 1);
        for (int i = 0; i < hiddenSize; i++) {
            embedding[i] /= count;
        }
        return embedding;
    }

    /** Scales to unit length in place; a zero vector stays zero. */
    public static float[] normalize(float[] embedding) {
        double squares = 0;
        for (float value : embedding) {
            squares += (double) value * value;
        }
        // sentence-transformers divides by max(norm, 1e-12).
        float scale = (float) (1 / Math.max(Math.sqrt(squares), 1e-12));
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] *= scale;
        }
        return embedding;
    }
}
