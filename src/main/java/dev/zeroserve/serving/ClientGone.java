package dev.zeroserve.serving;

/**
 * How an adapter tells the service that its client has gone (connection closed, call cancelled): the service hands
 * it what to do then, once per request, and the adapter runs it when its transport reports the loss.
 */
@FunctionalInterface
public interface ClientGone {
    /** For callers that have no client to lose. */
    ClientGone NEVER = abandon -> {
    };

    void onGone(Runnable abandon);
}
