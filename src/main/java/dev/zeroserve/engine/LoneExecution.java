package dev.zeroserve.engine;

import java.io.IOException;
import java.util.Map;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * How an execution that runs alone (no other running, nothing waiting) is run where several executions share the
 * cores out, one thread each: on a second session of the same model with one spinning intra-op thread per core, ONNX
 * Runtime's own layout for a single caller. In-process on two cores (docs/performance.md) a lone 16-token MiniLM row
 * takes 3.4 ms on one thread and 2.2 ms on two (128 tokens: 26.8 and 14.6 ms), while concurrent rows go fastest one
 * core each (570 rows/s, against 417 for two callers sharing one pool of two spinning threads and 490 without
 * spinning). A warm-up calibration was tried and dropped: during a cold start the tokenizer's load and the JIT take
 * the other core, and it measured the two sessions equal (2.22 against 2.25 ms) where they differ by 1.4 ×.
 *
 * <p>The second session is opened after the first answer, once the model is idle ({@link OnnxModel#openLoneSession},
 * called by the lifecycle): made at load it delayed the first answer of a cold start by 120-165 ms. Until it is open,
 * lone executions run on the executions' own.
 *
 * @param opener opens the lone session, or null where lone executions use the executions' own
 * @param intraOpThreads the threads a lone execution runs on
 * @param reason why, in the words the model metadata shows
 */
public record LoneExecution(Opener opener, int intraOpThreads, String reason) {
    /** Creates the lone session. */
    @FunctionalInterface
    interface Opener {
        OrtSession open() throws OrtException, IOException;
    }

    static final String CONFIG_KEY = "zeroserve.engine.lone-execution-all-cores";

    static LoneExecution none(int executionThreads, String why) {
        return new LoneExecution(null, executionThreads, "the executions' own threads: " + why);
    }

    static LoneExecution allCores(Opener opener, int cores) {
        return new LoneExecution(opener, cores, "a second session of " + cores + " spinning threads, as ONNX Runtime "
                + "runs a single caller, while concurrent executions run one per core (" + CONFIG_KEY
                + "=false saves its memory)");
    }

    /** The metadata properties that say how a lone execution runs. */
    public Map<String, String> properties() {
        return Map.of("lone_execution_intra_op_threads", Integer.toString(intraOpThreads), "lone_execution", reason);
    }
}
