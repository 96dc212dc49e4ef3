package dev.zeroserve.text;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import jakarta.enterprise.context.ApplicationScoped;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.EmbeddingInputs;
import dev.zeroserve.inference.EmbeddingLimits;
import dev.zeroserve.inference.Embeddings;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.InvalidEmbeddingRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.config.ConfigChecks;

/**
 * Text into tensors and token vectors back into embeddings, in the steps the serving layer runs one after another:
 * the model's {@link #plan} (once per served model), {@link #tokenize} the inputs, one request per text
 * ({@link EmbeddingPlan#requests}), and, once the model has run them, {@link #pool} each text's token vectors.
 */
@ApplicationScoped
public class TextEmbedder {
    /** Characters per token allowed by default before tokenizing: WordPiece's longest word before [UNK]. */
    static final int CHARACTERS_PER_TOKEN = 100;

    private final ZeroserveConfig.Embeddings config;
    private final int maxInputCharacters;
    private final TokenizerLoader tokenizers;
    /** The plan of the served model, made by the first request that finds the model and its tokenizer ready. */
    private volatile EmbeddingPlan plan;

    /** @throws IllegalArgumentException naming the configuration key, which stops start-up */
    public TextEmbedder(ZeroserveConfig config, TokenizerLoader tokenizers) {
        this.config = config.embeddings();
        this.tokenizers = tokenizers;
        this.maxInputCharacters = this.config.maxInputCharacters()
                .orElse((int) Math.min(Integer.MAX_VALUE,
                        (long) this.config.maxSequenceLength() * CHARACTERS_PER_TOKEN));
        ConfigChecks.embeddings(this.config, maxInputCharacters);
    }

    /** The bounds of one request, for the reader of its body. */
    public EmbeddingLimits limits() {
        return new EmbeddingLimits(config.maxInputs(), maxInputCharacters, config.maxSequenceLength(),
                config.truncate());
    }

    /**
     * How the model embeds text, read from its metadata once and kept: the served model does not change while the
     * server runs. A model that cannot embed text has no plan, and each request is refused with the reason.
     *
     * @throws dev.zeroserve.inference.InferenceException UNAVAILABLE while the tokenizer loads; an
     *         {@link InvalidEmbeddingRequest} when the model has no tokenizer or cannot embed text
     */
    public EmbeddingPlan plan(ModelMetadata metadata) {
        EmbeddingPlan known = plan;
        if (known != null && known.metadata() == metadata) {
            return known;
        }
        TextTokenizer tokenizer = tokenizers.tokenizer();
        if (tokenizer == null) {
            throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' has no tokenizer, so it "
                    + "cannot embed text; set zeroserve.embeddings.tokenizer-uri to its tokenizer.json, or send "
                    + "tensors to /v2/models/" + metadata.name() + "/infer");
        }
        known = EmbeddingPlan.of(metadata, tokenizer.padId(), config.output());
        plan = known;
        return known;
    }

    /**
     * Checks the inputs against the plan and the limits, and tokenizes them (or takes the client's token ids).
     *
     * @param dimensions the size asked for, if any
     * @throws InvalidEmbeddingRequest naming the field at fault
     */
    public TokenizedInputs tokenize(EmbeddingPlan plan, EmbeddingInputs inputs, OptionalInt dimensions) {
        String model = plan.metadata().name();
        if (dimensions.isPresent()) {
            checkDimensions(plan, dimensions.getAsInt());
        }
        if (inputs.size() > config.maxInputs()) {
            throw new InvalidEmbeddingRequest("input", inputs.size() + " inputs in one request; at most "
                    + config.maxInputs() + " are allowed (zeroserve.embeddings.max-inputs)");
        }
        // The plan exists, so the model has a tokenizer and it is loaded.
        TextTokenizer tokenizer = tokenizers.tokenizer();
        return inputs.texts() != null ? tokenize(tokenizer, model, inputs.texts())
                : takeTokenIds(tokenizer, model, inputs.tokenIds());
    }

    private void checkDimensions(EmbeddingPlan plan, int asked) {
        List<Integer> allowed = config.dimensions().orElse(List.of());
        if (asked != plan.hiddenSize() && !allowed.contains(asked)) {
            String size = plan.hiddenSize() == TensorSpec.DYNAMIC ? "embeddings of its own size"
                    : "embeddings of " + plan.hiddenSize() + " dimensions";
            throw new InvalidEmbeddingRequest("dimensions", "model '" + plan.metadata().name() + "' makes " + size
                    + (allowed.isEmpty() ? " and cannot make other sizes"
                            : " and can cut them to " + allowed + " (zeroserve.embeddings.dimensions)")
                    + "; dimensions=" + asked + " is not possible");
        }
    }

    /**
     * Refuses (or, with truncation, cuts) a text longer than the character bound before tokenizing it: 16 MiB of text
     * would otherwise cost half a minute of a core to be refused.
     */
    private TokenizedInputs tokenize(TextTokenizer tokenizer, String model, List<String> texts) {
        List<String> bounded = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text.isEmpty()) {
                throw new InvalidEmbeddingRequest("input", "input[" + i + "] is an empty string; there is "
                        + "nothing to embed");
            }
            if (text.length() > maxInputCharacters) {
                if (!config.truncate()) {
                    throw new InvalidEmbeddingRequest("input", "input[" + i + "] has " + text.length()
                            + " characters, more than the " + maxInputCharacters + " a text may have "
                            + "(zeroserve.embeddings.max-input-characters) before it is tokenized; shorten it, "
                            + "or set zeroserve.embeddings.truncate=true to have longer inputs cut");
                }
                int end = Character.isHighSurrogate(text.charAt(maxInputCharacters - 1)) ? maxInputCharacters - 1
                        : maxInputCharacters;
                text = text.substring(0, end);
            }
            bounded.add(text);
        }
        TextTokenizer.Tokens[] tokens = tokenizer.encode(bounded);
        long[][] ids = new long[tokens.length][];
        long[][] typeIds = new long[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i].truncated() && !config.truncate()) {
                throw tooLong(model, i, "more than");
            }
            ids[i] = tokens[i].ids();
            typeIds[i] = tokens[i].typeIds();
        }
        return new TokenizedInputs(ids, typeIds);
    }

    private TokenizedInputs takeTokenIds(TextTokenizer tokenizer, String model, List<long[]> sequences) {
        long[][] tokenIds = new long[sequences.size()][];
        long[][] typeIds = new long[sequences.size()][];
        for (int i = 0; i < sequences.size(); i++) {
            long[] ids = sequences.get(i);
            for (int t = 0; t < ids.length; t++) {
                if (ids[t] < 0 || ids[t] >= tokenizer.vocabularySize()) {
                    throw new InvalidEmbeddingRequest("input", "input[" + i + "][" + t + "] = " + ids[t]
                            + " is not a token id of model '" + model + "', whose ids run from 0 to "
                            + (tokenizer.vocabularySize() - 1));
                }
            }
            if (ids.length > config.maxSequenceLength()) {
                if (!config.truncate()) {
                    throw tooLong(model, i, ids.length + " tokens, more than");
                }
                ids = Arrays.copyOf(ids, config.maxSequenceLength());
            }
            tokenIds[i] = ids;
            typeIds[i] = new long[ids.length];
        }
        return new TokenizedInputs(tokenIds, typeIds);
    }

    private InvalidEmbeddingRequest tooLong(String model, int index, String count) {
        return new InvalidEmbeddingRequest("input", "input[" + index + "] has " + count + " the "
                + config.maxSequenceLength() + " tokens model '" + model + "' takes "
                + "(zeroserve.embeddings.max-sequence-length); shorten it, or set zeroserve.embeddings.truncate="
                + "true to have longer inputs cut");
    }

    /**
     * Each text's embedding from its token vectors, which may be padded past its length.
     *
     * @param responses one per text, in the order of the inputs
     */
    public Embeddings pool(TokenizedInputs tokens, List<InferenceResponse> responses, OptionalInt dimensions) {
        float[][] vectors = new float[tokens.size()][];
        long count = 0;
        for (int text = 0; text < vectors.length; text++) {
            Tensor hidden = responses.get(text).outputs().get(0);
            int sequence = (int) hidden.shape()[1];
            int hiddenSize = (int) hidden.shape()[2];
            FloatBuffer values = hidden.data().asFloatBuffer();
            int length = tokens.ids()[text].length;
            count += length;
            vectors[text] = finish(Pooler.pool(config.pooling(), values, 0, sequence, length, hiddenSize),
                    dimensions);
        }
        return new Embeddings(Arrays.asList(vectors), count);
    }

    private float[] finish(float[] embedding, OptionalInt dimensions) {
        if (dimensions.isPresent() && dimensions.getAsInt() < embedding.length) {
            embedding = Arrays.copyOf(embedding, dimensions.getAsInt());
        }
        return config.normalize() ? Pooler.normalize(embedding) : embedding;
    }
}
