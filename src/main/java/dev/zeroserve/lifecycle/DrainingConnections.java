package dev.zeroserve.lifecycle;

/**
 * What the drain needs of the transport: whether answers are still on their way to their connections, and closing
 * HTTP/2 connections once they have left. Implemented by the transport ({@code api/transport/OpenExchanges}), so that
 * the lifecycle never reaches up to it.
 */
public interface DrainingConnections {
    /** Exchanges from here on are no longer waited for: admission has stopped, so they are refused. */
    void stopCounting();

    /** Exchanges begun before {@link #stopCounting()} whose response has not been handed to the connection yet. */
    int open();

    /**
     * Sends GOAWAY on every HTTP/2 connection and waits until each has sent its last response, closing the ones
     * still open when the timeout passes.
     *
     * @return whether every connection closed by itself within the timeout
     */
    boolean closeHttp2Connections(long timeoutMillis) throws InterruptedException;
}
