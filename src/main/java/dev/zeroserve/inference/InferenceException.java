package dev.zeroserve.inference;

/** A failure of one request, with a message meant for the client, bounded in length ({@link BoundedMessage}). */
public class InferenceException extends RuntimeException {
    private final Status status;
    private final int retryAfterSeconds;

    public InferenceException(Status status, String message) {
        this(status, message, 0);
    }

    /** A refusal the client may retry after the given number of seconds (HTTP Retry-After). */
    public InferenceException(Status status, String message, int retryAfterSeconds) {
        super(BoundedMessage.of(message), null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public InferenceException(Status status, String message, Throwable cause) {
        super(BoundedMessage.of(message), cause, false, false);
        this.status = status;
        this.retryAfterSeconds = 0;
    }

    public Status status() {
        return status;
    }

    /** Seconds after which a retry may succeed, or 0. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Status.INVALID_ARGUMENT, message);
    }
}
