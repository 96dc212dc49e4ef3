package dev.zeroserve.inference;


/**
 * A model input or output as the session describes it.
 *
 * @param shape dimensions, -1 where the model accepts any size
 * @param dimNames the symbolic name of each dimension ("batch", "sequence"), or "" where it has none; dynamic
 *        dimensions that share a name must have the same size in one request
 */
public record TensorSpec(String name, DataType dataType, long[] shape, String[] dimNames) {
    public static final long DYNAMIC = -1;

    public TensorSpec(String name, DataType dataType, long[] shape) {
        this(name, dataType, shape, new String[shape.length]);
    }

    /**
     * Whether a dimension holds a token sequence: a dynamic dimension past the batch of an integer input (token ids,
     * attention masks), whose size the server bounds by the longest sequence it serves.
     */
    public boolean tokenSequence(int dim) {
        return dim > 0 && dim < shape.length && shape[dim] == DYNAMIC && dataType.kind() == DataType.Kind.INTEGER;
    }

    /** The symbolic name of a dynamic dimension, or null if it has none. */
    public String dimName(int dim) {
        String dimName = dimNames[dim];
        return shape[dim] == DYNAMIC && dimName != null && !dimName.isEmpty() ? dimName : null;
    }
}
