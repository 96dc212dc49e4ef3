package dev.zeroserve.engine;

import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.BatchExecutor;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;

/** A loaded ONNX Runtime session and what it serves. Safe for concurrent use, as ONNX Runtime sessions are. */
public final class OnnxModel implements BatchExecutor, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OnnxModel.class);
    /** ONNX Runtime's words for a node that failed on the values or shapes it was given. */
    private static final String NODE_FAILURE = "while running ";
    /** ...and for an allocation that failed, the server's limit rather than the request's mistake. */
    private static final String ALLOCATION_FAILURE = "allocat";
    /**
     * ...and for a node whose accelerator library failed (CUDA, cuBLAS, cuDNN, TensorRT): the server's fault. The
     * libraries' own failure words, case-sensitive: a source path such as {@code providers/cuda/} in a message about
     * the inputs does not match.
     */
    private static final Pattern ACCELERATOR_FAILURE = Pattern.compile(
            "CUDA failure|CUDA error|cudaError|CUBLAS failure|CUBLAS_STATUS|CUDNN failure|CUDNN_STATUS|TensorRT EP");

    private final OrtEnvironment env;
    private final OrtSession session;
    /**
     * The same model with one intra-op thread per core, for an execution that runs alone where the executions share
     * the cores out; null until it is opened (after the first answer), and where there is none.
     */
    private volatile OrtSession loneSession;
    private final LoneExecution loneExecution;
    /** Guarded by this: the lone session is opened after the model is served, and may meet its close. */
    private boolean closed;
    private final ModelMetadata metadata;
    private final Optional<String> rowCoupling;
    private final int parallelExecutions;
    private final OrtSession.RunOptions runOptions;

    /**
     * @param runOptions the options of every run: ONNX Runtime's own log of a failed run (one stderr line per
     *        out-of-range token id) is silenced there, as the failure is answered and, if it is the server's, logged
     */
    OnnxModel(OrtEnvironment env, OrtSession session, LoneExecution lone, ModelMetadata metadata,
            Optional<String> rowCoupling, int parallelExecutions, OrtSession.RunOptions runOptions) {
        this.env = env;
        this.session = session;
        this.loneExecution = lone;
        this.metadata = metadata;
        this.rowCoupling = rowCoupling;
        this.parallelExecutions = parallelExecutions;
        this.runOptions = runOptions;
    }

    /** The executions its threads were sized for, as the loader was told. */
    public int parallelExecutions() {
        return parallelExecutions;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /**
     * Why the rows of one execution depend on one another, if they do: the graph's operators that compute over the
     * whole batch (per-call dynamic quantization), read from the model file at load.
     */
    public Optional<String> rowCoupling() {
        return rowCoupling;
    }

    /** How an execution that runs alone is run, and why: what the metadata shows. */
    public LoneExecution loneExecution() {
        return loneExecution;
    }

    boolean hasLoneSession() {
        return loneSession != null;
    }

    /**
     * Opens the lone session, where the model has one, and runs it once on {@code inputs} (ONNX Runtime initialises
     * lazily); called once the model is served, off the request path.
     *
     * @param inputs inputs the model runs (the warm-up's), or null to open it without a run
     * @throws InferenceException when ONNX Runtime cannot open the session or run it on the inputs
     */
    public synchronized void openLoneSession(List<Tensor> inputs, List<String> outputs) {
        if (loneExecution.opener() == null || loneSession != null || closed) {
            return;
        }
        OrtSession lone;
        try {
            lone = loneExecution.opener().open();
        } catch (OrtException | IOException e) {
            throw new InferenceException(Status.INTERNAL, "could not open the lone session: " + e.getMessage(), e);
        }
        if (inputs != null) {
            try {
                run(lone, inputs, outputs, RunObserver.NONE);
            } catch (InferenceException e) {
                closeQuietly(lone);
                throw e;
            }
        }
        loneSession = lone;
        LOG.infof("Executions that run alone now use %d threads", loneExecution.intraOpThreads());
    }

    /**
     * Assembles the entries into one execution, runs it and gives each entry its rows of the outputs; an execution
     * alone runs on the lone session where there is one.
     */
    @Override
    public List<List<Tensor>> execute(List<BatchEntry> batch, RunObserver observer, boolean alone) {
        OrtSession chosen = alone && loneSession != null ? loneSession : session;
        BatchEntry first = batch.get(0);
        if (batch.size() == 1) {
            return List.of(run(chosen, first.inputs(), first.outputs(), observer));
        }
        long start = System.nanoTime();
        List<Tensor> inputs = BatchAssembly.inputs(batch);
        observer.computeInput(System.nanoTime() - start);
        List<Tensor> outputs = run(chosen, inputs, first.outputs(), observer);
        long split = System.nanoTime();
        List<List<Tensor>> perEntry = BatchAssembly.split(batch, outputs);
        observer.computeOutput(System.nanoTime() - split);
        return perEntry;
    }

    /**
     * Runs the model on inputs already validated against the metadata.
     *
     * @param outputNames the outputs to compute, in the order they are returned
     */
    public List<Tensor> run(List<Tensor> inputs, List<String> outputNames, RunObserver observer) {
        return run(session, inputs, outputNames, observer);
    }

    private List<Tensor> run(OrtSession target, List<Tensor> inputs, List<String> outputNames,
            RunObserver observer) {
        Map<String, OnnxTensor> onnxInputs = new HashMap<>(inputs.size() * 2);
        try {
            long start = System.nanoTime();
            for (Tensor input : inputs) {
                onnxInputs.put(input.name(), OnnxTensors.toOnnx(env, input));
            }
            long prepared = System.nanoTime();
            observer.computeInput(prepared - start);
            try (OrtSession.Result result = target.run(onnxInputs, new LinkedHashSet<>(outputNames), runOptions)) {
                long inferred = System.nanoTime();
                observer.computeInfer(inferred - prepared);
                Tensor[] outputs = new Tensor[outputNames.size()];
                for (int i = 0; i < outputs.length; i++) {
                    String name = outputNames.get(i);
                    Optional<OnnxValue> value = result.get(name);
                    if (value.isEmpty() || !(value.get() instanceof OnnxTensor tensor)) {
                        throw new InferenceException(Status.INTERNAL, "ONNX Runtime returned no tensor for output '"
                                + name + "'");
                    }
                    outputs[i] = OnnxTensors.fromOnnx(name, metadata.output(name).dataType(), tensor);
                }
                observer.computeOutput(System.nanoTime() - inferred);
                return List.of(outputs);
            }
        } catch (OrtException e) {
            throw new InferenceException(statusOf(e), "ONNX Runtime could not run model '" + metadata.name() + "': "
                    + e.getMessage(), e);
        } finally {
            onnxInputs.values().forEach(OnnxTensor::close);
        }
    }

    /**
     * Whose fault a failed run is. The inputs have passed the model's metadata, so what ONNX Runtime still refuses
     * depends on their values or on sizes the metadata leaves open: a token id past the embedding table, a sequence
     * longer than the position embeddings (513 tokens on MiniLM, whose inputs say only "sequence"). ONNX Runtime
     * reports some of these as INVALID_ARGUMENT and others as a failed node (ORT_FAIL); both are the client's to
     * fix, except a failed allocation, which is the server's limit, and a failure inside the accelerator's libraries,
     * which is the server's fault (a node fails the same way there, with the library's error in its message).
     */
    static Status statusOf(OrtException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains(ALLOCATION_FAILURE)) {
            return Status.RESOURCE_EXHAUSTED;
        }
        return switch (e.getCode()) {
            case ORT_INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case ORT_FAIL -> message.contains(NODE_FAILURE) && !ACCELERATOR_FAILURE.matcher(message).find()
                    ? Status.INVALID_ARGUMENT : Status.INTERNAL;
            default -> Status.INTERNAL;
        };
    }

    private static void closeQuietly(OrtSession lone) {
        try {
            lone.close();
        } catch (OrtException e) {
            LOG.debug("closing a lone session that could not run failed", e);
        }
    }

    @Override
    public synchronized void close() throws OrtException {
        closed = true;
        session.close();
        if (loneSession != null) {
            loneSession.close();
        }
        runOptions.close();
    }
}
