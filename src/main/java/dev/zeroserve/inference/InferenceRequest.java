package dev.zeroserve.inference;

import java.util.List;
import java.util.Map;

/**
 * One inference request as every protocol adapter hands it on.
 *
 * @param modelVersion the requested version, or null for the served one
 * @param id the client's request id, or null
 * @param parameters request-level parameters; values are String, Long, Double or Boolean
 * @param outputs the requested outputs; empty means all of the model's outputs
 * @param deadlineNanos the {@link System#nanoTime()} after which the client no longer waits, or {@link #NO_DEADLINE}
 * @param padding how the batcher may pad the inputs' sequence dimension to share a batch, or null: only requests
 *        whose shapes match past the batch dimension share one
 */
public record InferenceRequest(String modelName, String modelVersion, String id, Map<String, Object> parameters,
        List<Tensor> inputs, List<RequestedOutput> outputs, long deadlineNanos, SequencePadding padding) {

    public static final long NO_DEADLINE = Long.MAX_VALUE;

    /** A tensor request, as the v2 protocol adapters decode it: batched only with requests of matching shapes. */
    public InferenceRequest(String modelName, String modelVersion, String id, Map<String, Object> parameters,
            List<Tensor> inputs, List<RequestedOutput> outputs, long deadlineNanos) {
        this(modelName, modelVersion, id, parameters, inputs, outputs, deadlineNanos, null);
    }

    /** A requested output and its parameters. */
    public record RequestedOutput(String name, Map<String, Object> parameters) {
    }

    public boolean deadlinePassed(long nowNanos) {
        return deadlineNanos != NO_DEADLINE && nowNanos - deadlineNanos >= 0;
    }
}
