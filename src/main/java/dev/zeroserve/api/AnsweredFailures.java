package dev.zeroserve.api;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.logging.Logger;

import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.Status;

/**
 * What every adapter (REST, gRPC, the OpenAI API) tells a client about a failure, and how it logs it, in one place.
 * The client's mistakes and the server's refusals keep their message, which names what was wrong, and are logged at
 * DEBUG, as they are the client's to read, not the operator's; RESOURCE_EXHAUSTED (an allocation past the server's
 * memory) is also logged at WARN. An INTERNAL failure (a bug, or a fault of the engine or the accelerator) is logged
 * once at ERROR with its stack and an error id, and the client gets only that id: its message would otherwise show
 * class names, ONNX Runtime's build paths and the model's insides to whoever sent the request.
 */
public final class AnsweredFailures {
    private static final HexFormat HEX = HexFormat.of();

    private AnsweredFailures() {
    }

    /**
     * Logs a failure about to be answered and returns what its answer says: the failure itself, or for an INTERNAL
     * one (any exception other than an {@link InferenceException} is one) a failure that gives only its error id.
     *
     * @param what the work that failed, for the log: "Inference", "gRPC inference", ...
     */
    public static InferenceException answered(Logger log, String what, Throwable failure) {
        InferenceException inference = failure instanceof InferenceException e ? e
                : new InferenceException(Status.INTERNAL, String.valueOf(failure), failure);
        switch (inference.status()) {
            case INTERNAL -> {
                // 64 random bits: unique among the errors of a log's retention, short enough to read out.
                String id = HEX.toHexDigits(ThreadLocalRandom.current().nextLong());
                log.errorf(inference, "%s failed, error id %s", what, id);
                return new InferenceException(Status.INTERNAL, "internal error, id " + id
                        + "; the server log has the details");
            }
            case RESOURCE_EXHAUSTED -> log.warnf("%s failed for want of memory: %s", what, inference.getMessage());
            default -> log.debugf("Answered %s: %s", inference.status(), inference.getMessage());
        }
        return inference;
    }
}
