package dev.zeroserve.inference;

/**
 * Counts in one request that no model needs more of, checked by every codec while it parses (a JSON body of 64 MiB
 * could otherwise declare millions of empty inputs or dimensions, each an object on the heap, before any check ran).
 */
public final class RequestLimits {
    /** Inputs, and requested outputs, of one request. */
    public static final int MAX_TENSORS = 128;
    /** Entries of one parameters object (the request's, an input's or an output's). */
    public static final int MAX_PARAMETERS = 64;
    /** Dimensions of one shape. */
    public static final int MAX_RANK = 64;

    private RequestLimits() {
    }

    /**
     * @param count how many {@code what} have been read so far
     * @throws InferenceException INVALID_ARGUMENT once {@code count} passes {@code max}
     */
    public static void check(String owner, String what, int count, int max) {
        if (count > max) {
            throw InferenceException.invalid(owner + " has more than " + max + " " + what
                    + ", the most this server accepts");
        }
    }
}
