package dev.zeroserve.inference;

import java.util.Map;

/**
 * Declares that dimension 1 of every input of a request is a token sequence which the batcher may lengthen on the
 * right, so that requests of different lengths can share a model call. The padded positions must not change the
 * result for the real ones: the model is told to ignore them through an attention mask padded with 0.
 *
 * @param padValues the value each input is padded with, by input name; every input of the request is named
 */
public record SequencePadding(Map<String, Long> padValues) {
    /** The shortest sequence length bucket: short texts are grouped together up to this length. */
    static final int SMALLEST_BUCKET = 16;

    public SequencePadding {
        padValues = Map.copyOf(padValues);
    }

    /**
     * The length bucket of a sequence: requests share a batch only within one bucket, so that a long sequence does
     * not make short ones pay for its padding. The bucket boundaries are 16, then powers of two and the points
     * halfway between them (24, 32, 48, 64, 96, 128, 192, 256, 384, 512, ...): a sequence is padded to at most
     * 1.5 times its length, less when the longest in the batch is shorter than the bucket's bound.
     *
     * @return the bucket's upper bound, the longest length it holds
     */
    public static long lengthBucket(long length) {
        if (length <= SMALLEST_BUCKET) {
            return SMALLEST_BUCKET;
        }
        long powerOfTwo = Long.highestOneBit(length - 1) << 1;
        long between = powerOfTwo / 4 * 3;
        return length <= between ? between : powerOfTwo;
    }
}
