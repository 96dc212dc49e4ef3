package dev.zeroserve.inference;

import java.util.List;

/**
 * One queue entry: validated inputs that run as {@code rows} rows of a model execution, alone or beside other
 * entries (see the package glossary).
 *
 * @param outputs the outputs to compute, in the order they are returned
 * @param padding how dimension 1 of the inputs may be lengthened to share an execution, or null: only entries
 *        whose shapes match past the batch dimension share one
 * @param rows the entry's size along the batch dimension (1 for a model without one); what the queue counts
 * @param tokensPerRow the token positions of each row ({@link ModelMetadata#tokensPerRow}), 0 where the inputs
 *        are not token sequences: what the batcher's token budget counts
 */
public record BatchEntry(List<Tensor> inputs, List<String> outputs, SequencePadding padding, long rows,
        long tokensPerRow) {

    /** Whether every input agrees on the batch dimension (and a padded entry on the sequence), so it can share. */
    public boolean groupable() {
        for (Tensor input : inputs) {
            if (input.shape().length == 0 || input.shape()[0] != rows
                    || (padding != null && (input.shape().length < 2 || input.shape()[1] != sequenceLength()))) {
                return false;
            }
        }
        return true;
    }

    /** Dimension 1 of the first input, for a padded entry; 0 otherwise. */
    public long sequenceLength() {
        return padding == null || inputs.isEmpty() || inputs.get(0).shape().length < 2 ? 0
                : inputs.get(0).shape()[1];
    }
}
