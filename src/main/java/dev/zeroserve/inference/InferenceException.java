package dev.zeroserve.inference;

/** A failure of one request, with a message meant for the client. */
public class InferenceException extends RuntimeException {
    private final Status status;

    public InferenceException(Status status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public InferenceException(Status status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Status.INVALID_ARGUMENT, message);
    }
}
