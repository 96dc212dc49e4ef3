package dev.zeroserve.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

import dev.zeroserve.inference.TensorSpec;

/**
 * The TensorRT optimization profile of a served model: for every input with a dynamic dimension, the smallest,
 * optimal and largest shape in ONNX Runtime's {@code trt_profile_*_shapes} form ({@code name:1x16,name2:1x16}). Where
 * every dynamic input has one, ONNX Runtime builds (or loads) the engine when the session is created, and no shape
 * within the range makes it build another while serving.
 *
 * <p>Dimension 0 is the batch: 1 to the batcher's largest batch. A further dynamic dimension of an integer input is a
 * token sequence: 1 to the longest sequence. Both optimal sizes are the largest, the shapes a loaded server runs. Any
 * other dynamic dimension (a float input's, an image's height) has no bound the server knows of: the profile is then
 * left to ONNX Runtime, which builds for the shapes it meets.
 */
public final class TensorRtProfiles {
    private TensorRtProfiles() {
    }

    /**
     * The largest sizes the server runs.
     *
     * @param rows the most rows of one execution (zeroserve.batching.max-batch-size)
     * @param sequenceLength the longest token sequence (zeroserve.embeddings.max-sequence-length)
     * @param warmUpSize the size that warm-up gives every dynamic dimension (zeroserve.warmup.dynamic-dim-size),
     *        which the profile covers too
     */
    public record Bounds(int rows, int sequenceLength, int warmUpSize) {
        int maxRows() {
            return Math.max(rows, warmUpSize);
        }

        int maxSequenceLength() {
            return Math.max(sequenceLength, warmUpSize);
        }
    }

    /**
     * @param uncovered the dynamic dimensions no bound is known for ({@code input[dim]}); where there is any, the
     *        shapes are empty and ONNX Runtime is given none
     */
    public record Profile(String minShapes, String optShapes, String maxShapes, List<String> uncovered) {
        /** No profile: TensorRT is not used, or the profile is not to be derived. */
        public static final Profile NONE = new Profile("", "", "", List.of());

        /** Whether ONNX Runtime is given the shapes: some input is dynamic and every dynamic dimension is bounded. */
        public boolean explicit() {
            return !minShapes.isEmpty() && uncovered.isEmpty();
        }
    }

    public static Profile of(List<TensorSpec> inputs, Bounds bounds) {
        StringJoiner min = new StringJoiner(",");
        StringJoiner opt = new StringJoiner(",");
        StringJoiner max = new StringJoiner(",");
        List<String> uncovered = new ArrayList<>();
        for (TensorSpec input : inputs) {
            long[] shape = input.shape();
            long[] smallest = shape.clone();
            long[] largest = shape.clone();
            boolean dynamic = false;
            for (int dim = 0; dim < shape.length; dim++) {
                if (shape[dim] != TensorSpec.DYNAMIC) {
                    continue;
                }
                dynamic = true;
                smallest[dim] = 1;
                if (dim == 0) {
                    largest[dim] = bounds.maxRows();
                } else if (input.tokenSequence(dim)) {
                    largest[dim] = bounds.maxSequenceLength();
                } else {
                    uncovered.add(input.name() + "[" + dim + "]");
                }
            }
            if (dynamic) {
                min.add(input.name() + ":" + dims(smallest));
                opt.add(input.name() + ":" + dims(largest));
                max.add(input.name() + ":" + dims(largest));
            }
        }
        if (!uncovered.isEmpty()) {
            return new Profile("", "", "", List.copyOf(uncovered));
        }
        return new Profile(min.toString(), opt.toString(), max.toString(), List.of());
    }

    private static String dims(long[] shape) {
        StringJoiner joined = new StringJoiner("x");
        for (long size : shape) {
            joined.add(Long.toString(size));
        }
        return joined.toString();
    }
}
