package dev.zeroserve.inference;

/** Shape arithmetic that cannot overflow silently. */
public final class Shapes {
    /** Dimensions a written shape shows. */
    static final int MAX_WRITTEN_DIMS = 16;

    private Shapes() {
    }

    /**
     * The number of elements a shape holds.
     *
     * @throws InferenceException INVALID_ARGUMENT, naming the tensor, for a negative dimension or an overflowing product
     */
    public static long elementCount(String tensorName, long[] shape) {
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long dim = shape[i];
            if (dim < 0) {
                throw InferenceException.invalid("input '" + tensorName + "': dimension " + i + " of shape "
                        + toString(shape) + " is negative");
            }
            try {
                count = Math.multiplyExact(count, dim);
            } catch (ArithmeticException overflow) {
                throw InferenceException.invalid("input '" + tensorName + "': shape " + toString(shape)
                        + " has more elements than a 64-bit count can hold");
            }
        }
        return count;
    }

    /**
     * The element count of a client's shape, refused before any buffer is allocated when it exceeds the limit, or when
     * a dimension does: {@code [0, 2^62]} holds no elements, but no model can be given it.
     *
     * @throws InferenceException INVALID_ARGUMENT naming the tensor and the setting
     */
    public static long checkedElementCount(String tensorName, long[] shape, long maxElements) {
        long count = elementCount(tensorName, shape);
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > maxElements) {
                throw InferenceException.invalid("input '" + tensorName + "': dimension " + i + " of shape "
                        + toString(shape) + " is " + shape[i] + ", more than the limit of " + maxElements
                        + " elements (zeroserve.limits.max-elements)");
            }
        }
        if (count > maxElements) {
            throw InferenceException.invalid("input '" + tensorName + "': shape " + toString(shape) + " holds "
                    + count + " elements, more than the limit of " + maxElements + " (zeroserve.limits.max-elements)");
        }
        return count;
    }

    /**
     * The shape as {@code [1,4,384]}; past {@value #MAX_WRITTEN_DIMS} dimensions only how many more there are, as
     * messages echo clients' shapes.
     */
    public static String toString(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        int written = Math.min(shape.length, MAX_WRITTEN_DIMS);
        for (int i = 0; i < written; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(shape[i]);
        }
        if (written < shape.length) {
            text.append(",… ").append(shape.length - written).append(" more");
        }
        return text.append(']').toString();
    }
}
