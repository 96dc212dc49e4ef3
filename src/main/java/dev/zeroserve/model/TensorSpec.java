package dev.zeroserve.model;

import dev.zeroserve.inference.DataType;

/**
 * A model input or output as the session describes it.
 *
 * @param shape dimensions, -1 where the model accepts any size
 */
public record TensorSpec(String name, DataType dataType, long[] shape) {
    public static final long DYNAMIC = -1;
}
