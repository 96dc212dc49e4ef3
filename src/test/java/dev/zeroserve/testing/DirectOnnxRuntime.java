package dev.zeroserve.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** The bundled model run with ONNX Runtime's own API, as the reference that Zeroserve is compared with. */
public final class DirectOnnxRuntime {
    /** "[CLS] the quick brown fox jumps over the lazy dog. this is a test [SEP]": 16 tokens. */
    public static final long[] TOKENS_16 = { 101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012,
            2023, 2003, 1037, 3231, 102 };

    private DirectOnnxRuntime() {
    }

    /** A session on the model file exactly as the Maven Central jar carries it, with default options. */
    public static OrtSession openBundledModel() throws OrtException {
        return openBundledModel(new OrtSession.SessionOptions());
    }

    /** The same with ONNX Runtime's defaults but {@code intraOpThreads} threads per call. */
    public static OrtSession openBundledModel(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(intraOpThreads);
        return openBundledModel(options);
    }

    /** Another model file (a rewrite of the bundled one), with ONNX Runtime's defaults but the threads per call. */
    public static OrtSession openModel(java.nio.file.Path file, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            return OrtEnvironment.getEnvironment().createSession(file.toString(), options);
        }
    }

    private static OrtSession openBundledModel(OrtSession.SessionOptions options) throws OrtException {
        try (InputStream in = DirectOnnxRuntime.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-q.onnx")) {
            return OrtEnvironment.getEnvironment().createSession(in.readAllBytes(), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code last_hidden_state} for one sequence of token ids, all attended, segment 0. */
    public static float[] lastHiddenState(OrtSession session, long[] tokens) throws OrtException {
        return lastHiddenState(session, tokens, 1);
    }

    /** The same for a batch of {@code rows} copies of the sequence, as one call. */
    public static float[] lastHiddenState(OrtSession session, long[] tokens, int rows) throws OrtException {
        long[][] batch = new long[rows][];
        Arrays.fill(batch, tokens);
        return lastHiddenState(session, batch);
    }

    /** The same for a batch of sequences of one length, all attended, as one call: row after row. */
    public static float[] lastHiddenState(OrtSession session, long[][] rows) throws OrtException {
        int length = rows[0].length;
        long[] ids = new long[length * rows.length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, ids, r * length, length);
        }
        long[] ones = new long[ids.length];
        Arrays.fill(ones, 1);
        return lastHiddenState(session, ids, ones, new long[] { rows.length, length });
    }

    /** {@code last_hidden_state} for token ids and their attention mask, both of {@code shape}, segment 0. */
    public static float[] lastHiddenState(OrtSession session, long[] ids, long[] mask, long[] shape)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
                OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
                OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
                OrtSession.Result result = session.run(Map.of("input_ids", idTensor, "attention_mask", maskTensor,
                        "token_type_ids", types))) {
            FloatBuffer out = ((OnnxTensor) result.get("last_hidden_state").get()).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }
}
