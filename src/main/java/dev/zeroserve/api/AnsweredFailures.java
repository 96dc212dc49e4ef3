package dev.zeroserve.api;

import org.jboss.logging.Logger;

import dev.zeroserve.inference.InferenceException;

/**
 * How every adapter logs a failure it has answered, by its status: INTERNAL (a bug, or a fault of the engine or the
 * accelerator) at ERROR with its stack; RESOURCE_EXHAUSTED (an allocation past the server's memory) at WARN; the
 * client's mistakes and the server's refusals at DEBUG, as they are the client's to read, not the operator's.
 */
public final class AnsweredFailures {
    private AnsweredFailures() {
    }

    public static void log(Logger log, String what, InferenceException failure) {
        switch (failure.status()) {
            case INTERNAL -> log.error(what + " failed", failure);
            case RESOURCE_EXHAUSTED -> log.warnf("%s failed for want of memory: %s", what, failure.getMessage());
            default -> log.debugf("Answered %s: %s", failure.status(), failure.getMessage());
        }
    }
}
