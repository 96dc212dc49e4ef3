package dev.zeroserve.inference;

import org.jboss.logging.Logger;

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

    /**
     * Logs this failure, once answered, as its operator needs it: INTERNAL (a bug, or a fault of the engine or the
     * accelerator) at ERROR with its stack; RESOURCE_EXHAUSTED (an allocation past the server's memory) at WARN; the
     * client's mistakes and the server's refusals at DEBUG, as they are the client's to read, not the operator's.
     */
    public void logAnswered(Logger log, String what) {
        switch (status) {
            case INTERNAL -> log.error(what + " failed", this);
            case RESOURCE_EXHAUSTED -> log.warnf("%s failed for want of memory: %s", what, getMessage());
            default -> log.debugf("Answered %s: %s", status, getMessage());
        }
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Status.INVALID_ARGUMENT, message);
    }
}
