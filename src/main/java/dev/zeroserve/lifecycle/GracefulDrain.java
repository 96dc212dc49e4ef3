package dev.zeroserve.lifecycle;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import dev.zeroserve.scheduling.DynamicBatcher;

/**
 * The drain on SIGTERM: refuse new requests, wait until the admitted ones are answered and their responses handed to
 * their connections, close the HTTP/2 connections, and say in the log how it went.
 */
final class GracefulDrain {
    private static final Logger LOG = Logger.getLogger(GracefulDrain.class);
    private static final long POLL_MILLIS = 5;
    /**
     * How long the answered responses get to leave over HTTP/2 once the last one is handed over: milliseconds are
     * enough for a client that reads. Bounded because, under a flood of refused calls, a connection sometimes keeps a
     * stream that never closes (seen with Vert.x 4.5), which would hold the drain to its timeout.
     */
    private static final long HTTP2_CLOSE_GRACE_MILLIS = 5000;

    private GracefulDrain() {
    }

    /** @param timeout {@code zeroserve.drain.timeout}: the most it waits, in all */
    static void run(DynamicBatcher running, DrainingConnections exchanges, Duration timeout) throws InterruptedException {
        running.stopAdmitting();
        exchanges.stopCounting();
        long start = System.nanoTime();
        long admitted = running.inFlight();
        long deadline = start + timeout.toNanos();
        while ((running.inFlight() > 0 || exchanges.open() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MILLIS);
        }
        long answered = System.nanoTime();
        long answerMillis = TimeUnit.NANOSECONDS.toMillis(answered - start);
        boolean flushed = exchanges.closeHttp2Connections(Math.min(HTTP2_CLOSE_GRACE_MILLIS,
                Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - answered))));
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
        if (running.inFlight() > 0) {
            LOG.warnf("zeroserve.drain.timeout (%s) passed with %d admitted rows unanswered", timeout,
                    running.inFlight());
        } else if (exchanges.open() > 0) {
            LOG.warnf("zeroserve.drain.timeout (%s) passed with %d responses not yet handed to their connection",
                    timeout, exchanges.open());
        } else if (!flushed) {
            LOG.warnf("Drained: %d admitted rows answered in %d ms; HTTP/2 connections with streams still open "
                    + "after %d ms were closed", admitted, answerMillis, closeMillis);
        } else {
            LOG.infof("Drained: %d admitted rows answered in %d ms, HTTP/2 connections closed in %d ms; new "
                    + "requests are refused", admitted, answerMillis, closeMillis);
        }
    }
}
