package dev.zeroserve.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * The bundled model's sentence embeddings computed directly, as sentence-transformers does for all-MiniLM-L6-v2:
 * DJL's tokenizer on the model's tokenizer.json (cut at 256 tokens), ONNX Runtime on the text alone, the mean of its
 * token vectors, scaled to unit length. Written apart from Zeroserve's text layer, to check it against.
 *
 * <p>The bundled model is quantized to int8 with activations quantized per call (DynamicQuantizeLinear: one scale
 * for the whole input tensor of each MatMul), so a text's result depends slightly on the other rows and the padding
 * of the call it runs in: cosine about 0.99 against running alone, where a float model gives the same result.
 */
public final class DirectEmbeddings implements AutoCloseable {
    public static final int MAX_TOKENS = 256;

    private static DirectEmbeddings shared;

    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session;

    /** One instance for every test class of a run; it lives as long as the JVM. */
    public static synchronized DirectEmbeddings shared() throws OrtException {
        if (shared == null) {
            shared = new DirectEmbeddings();
        }
        return shared;
    }

    public DirectEmbeddings() throws OrtException {
        this(DirectOnnxRuntime.openBundledModel());
    }

    /** The same with ONNX Runtime's defaults but {@code intraOpThreads} threads per call. */
    public DirectEmbeddings(int intraOpThreads) throws OrtException {
        this(DirectOnnxRuntime.openBundledModel(intraOpThreads));
    }

    /** Another model file of the same tokenizer (the fp32 all-MiniLM-L6-v2, a rewrite of the bundled one). */
    public DirectEmbeddings(java.nio.file.Path model, int intraOpThreads) throws OrtException {
        this(DirectOnnxRuntime.openModel(model, intraOpThreads));
    }

    private DirectEmbeddings(OrtSession session) {
        this.session = session;
        try (InputStream json = DirectEmbeddings.class.getClassLoader()
                .getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json")) {
            tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false", "truncation", "true",
                    "maxLength", Integer.toString(MAX_TOKENS)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long[] tokenIds(String text) {
        return tokenizer.encode(text).getIds();
    }

    public float[] embed(String text) throws OrtException {
        return embedTokens(tokenIds(text));
    }

    public float[] embedTokens(long[] ids) throws OrtException {
        return embedBatch(List.of(ids)).get(0);
    }

    /** Texts tokenized one by one and run as one batch ({@link #embedBatch}). */
    public List<float[]> embedTexts(List<String> texts) throws OrtException {
        List<long[]> rows = new ArrayList<>(texts.size());
        for (String text : texts) {
            rows.add(tokenIds(text));
        }
        return embedBatch(rows);
    }

    /**
     * The embeddings of sequences run as one batch, padded on the right to the longest with [PAD] (0) and attention
     * mask 0, each pooled over its own tokens.
     */
    public List<float[]> embedBatch(List<long[]> rows) throws OrtException {
        int sequence = rows.stream().mapToInt(ids -> ids.length).max().orElseThrow();
        long[] ids = new long[rows.size() * sequence];
        long[] mask = new long[ids.length];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, ids, r * sequence, rows.get(r).length);
            Arrays.fill(mask, r * sequence, r * sequence + rows.get(r).length, 1);
        }
        float[] hidden = DirectOnnxRuntime.lastHiddenState(session, ids, mask, new long[] { rows.size(), sequence });
        int size = hidden.length / ids.length;
        List<float[]> embeddings = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            int length = rows.get(r).length;
            float[] mean = new float[size];
            for (int t = 0; t < length; t++) {
                for (int i = 0; i < size; i++) {
                    mean[i] += hidden[(r * sequence + t) * size + i] / length;
                }
            }
            double norm = 0;
            for (float value : mean) {
                norm += value * value;
            }
            for (int i = 0; i < size; i++) {
                mean[i] /= (float) Math.sqrt(norm);
            }
            embeddings.add(mean);
        }
        return embeddings;
    }

    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " and " + b.length);
        }
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }

    @Override
    public void close() throws OrtException {
        session.close();
        tokenizer.close();
    }
}
