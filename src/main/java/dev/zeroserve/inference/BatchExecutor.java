package dev.zeroserve.inference;

import java.util.List;

/** Runs entries as one model execution: what the scheduler asks of the engine, which meet only here. */
@FunctionalInterface
public interface BatchExecutor {
    /**
     * @param alone whether no other execution runs and no entry waits: the engine may give this one every core
     * @return each entry's outputs, in the order of the entries
     * @throws InferenceException when the execution fails; the scheduler decides which entries it fails
     */
    List<List<Tensor>> execute(List<BatchEntry> batch, RunObserver observer, boolean alone);
}
