package dev.zeroserve.inference;

/** Where the time of one model call goes, as Triton splits it: preparing inputs, inference, reading outputs. */
public interface RunObserver {
    RunObserver NONE = new RunObserver() {
    };

    default void computeInput(long nanos) {
    }

    default void computeInfer(long nanos) {
    }

    default void computeOutput(long nanos) {
    }
}
