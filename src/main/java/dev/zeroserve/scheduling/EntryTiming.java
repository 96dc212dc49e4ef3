package dev.zeroserve.scheduling;

/**
 * When an entry waited and ran, for traces: {@link System#nanoTime()} readings; started and finished are 0 for
 * an entry that never ran (cancelled, expired, refused at shutdown).
 *
 * @param batchRows rows of the execution it shared
 */
public record EntryTiming(long enqueuedNanos, long startedNanos, long finishedNanos, long batchRows) {
    public boolean ran() {
        return startedNanos != 0;
    }
}
