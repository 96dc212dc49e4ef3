package dev.zeroserve.inference;

/** The small vocabulary of failures that every protocol adapter maps once to its own status codes. */
public enum Status {
    INVALID_ARGUMENT(400),
    NOT_FOUND(404),
    PAYLOAD_TOO_LARGE(413),
    UNAVAILABLE(503),
    DEADLINE_EXCEEDED(504),
    /** The client went away (connection closed, call cancelled) before its request ran; nobody reads the code. */
    CANCELLED(499),
    RESOURCE_EXHAUSTED(503),
    /** A protocol extension this server does not offer, such as Triton's model repository or shared memory. */
    UNIMPLEMENTED(501),
    INTERNAL(500);

    private final int httpStatus;

    Status(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
