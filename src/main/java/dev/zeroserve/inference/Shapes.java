package dev.zeroserve.inference;

/** Shape arithmetic that cannot overflow silently. */
public final class Shapes {
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

    public static String toString(long[] shape) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(shape[i]);
        }
        return text.append(']').toString();
    }
}
