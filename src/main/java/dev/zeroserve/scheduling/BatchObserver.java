package dev.zeroserve.scheduling;

import dev.zeroserve.inference.RunObserver;

/** What the batcher reports, for metrics, beside the engine's own compute timings. */
public interface BatchObserver {
    void queued(long waitedNanos);

    /** An execution starts; what it returns observes that execution's compute phases. */
    RunObserver batchStarted(int entries, long rows);

    /** A failed execution of several entries is split in two, each half to run again. */
    void batchSplit();
}
