package dev.zeroserve.text;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceMetrics.Protocol;
import dev.zeroserve.config.ConfigChecks;
import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.serving.ClientGone;
import dev.zeroserve.serving.InferenceService;
import io.quarkus.runtime.Quarkus;
import io.vertx.ext.web.Router;

/**
 * Text in, embeddings out, for task APIs: tokenizes, makes each text a request of one row whose sequence dimension
 * may be padded (so that the scheduler alone decides which texts, of this client or others, share an execution,
 * within a length bucket), sends them through {@link InferenceService} as one client request, and pools each text's
 * token vectors on the requesting side.
 */
@ApplicationScoped
public class TextEmbedder {
    private static final Logger LOG = Logger.getLogger(TextEmbedder.class);
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String TOKEN_TYPE_IDS = "token_type_ids";

    /** Embeddings in the order of the inputs, and the tokens they were computed from. */
    public record Embeddings(List<float[]> vectors, long promptTokens) {
    }

    /** Characters per token allowed by default before tokenizing: WordPiece's longest word before [UNK]. */
    static final int CHARACTERS_PER_TOKEN = 100;

    private final ZeroserveConfig.Embeddings config;
    private final int maxInputCharacters;
    private final InferenceService inference;
    private final InferenceMetrics metrics;
    private final Optional<String> tokenizerUri;
    /** Loads beside the model, off the start-up path; absent when the model has no tokenizer. */
    private final CompletableFuture<TextTokenizer> tokenizer = new CompletableFuture<>();

    /** @throws IllegalArgumentException naming the configuration key, which stops start-up */
    TextEmbedder(ZeroserveConfig config, InferenceService inference, InferenceMetrics metrics) {
        this.config = config.embeddings();
        this.inference = inference;
        this.metrics = metrics;
        this.maxInputCharacters = this.config.maxInputCharacters()
                .orElse((int) Math.min(Integer.MAX_VALUE,
                        (long) this.config.maxSequenceLength() * CHARACTERS_PER_TOKEN));
        ConfigChecks.embeddings(this.config, maxInputCharacters);
        this.tokenizerUri = this.config.tokenizerUri()
                .or(() -> ModelSource.parse(config.model().uri()).defaultTokenizerUri());
    }

    /** Loads the tokenizer on its own thread, as the model loads on another (and as early), so neither delays the other. */
    void onStart(@Observes Router router) {
        if (tokenizerUri.isEmpty()) {
            return;
        }
        Thread loader = new Thread(this::load, "zeroserve-tokenizer-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        try {
            TextTokenizer loaded = TextTokenizer.load(tokenizerUri.get(), config.maxSequenceLength());
            tokenizer.complete(loaded);
            LOG.infof("Embeddings API on /v1/embeddings: tokenizer %s, %s pooling%s, at most %d tokens per input "
                    + "(%s)", loaded.uri(), config.pooling().name().toLowerCase(),
                    config.normalize() ? ", normalised" : "", config.maxSequenceLength(),
                    config.truncate() ? "longer inputs are truncated" : "longer inputs are refused");
        } catch (RuntimeException | LinkageError e) {
            tokenizer.completeExceptionally(e);
            LOG.errorf(e, "The embeddings API cannot start: %s", e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    /** The bounds of one request, for the reader of its body. */
    public EmbeddingLimits limits() {
        return new EmbeddingLimits(config.maxInputs(), maxInputCharacters, config.maxSequenceLength(),
                config.truncate());
    }

    /** Whether requests can be tokenized: the tokenizer is loaded, or the model has none (readiness waits for it). */
    public boolean tokenizerLoaded() {
        return tokenizerUri.isEmpty() || (tokenizer.isDone() && !tokenizer.isCompletedExceptionally());
    }

    /**
     * The tokenizer, or null when the model has none. Never waits for it to load: requests are tokenized on an event
     * loop, and one that comes before readiness (the model can be ready first) is refused as an early v2 request is.
     */
    private TextTokenizer tokenizer() {
        if (tokenizerUri.isEmpty()) {
            return null;
        }
        if (!tokenizer.isDone()) {
            throw new InferenceException(Status.UNAVAILABLE, "the tokenizer is still loading", 1);
        }
        try {
            return tokenizer.join();
        } catch (CompletionException e) {
            throw new InferenceException(Status.UNAVAILABLE, "the tokenizer could not be loaded: "
                    + e.getCause().getMessage());
        }
    }

    /**
     * @param dimensions the size asked for, if any
     * @throws dev.zeroserve.inference.InferenceException through the stage: {@link InvalidEmbeddingRequest} for bad
     *         input, NOT_FOUND for another model, and the statuses of the tensor path
     */
    public CompletionStage<Embeddings> embed(String model, EmbeddingInputs inputs, OptionalInt dimensions,
            ClientGone clientGone) {
        Job job = new Job(model, inputs, dimensions);
        return inference.inferParts(Protocol.OPENAI, model, null, job::prepare, clientGone).thenApply(job::pool);
    }

    /** What the model takes and gives, read from its metadata. */
    private record ModelPlan(List<TensorSpec> inputs, String output, int hiddenSize) {
    }

    private ModelPlan plan(ModelMetadata metadata) {
        List<TensorSpec> inputs = new ArrayList<>();
        for (TensorSpec spec : metadata.inputs()) {
            boolean known = spec.name().equals(INPUT_IDS) || spec.name().equals(ATTENTION_MASK)
                    || spec.name().equals(TOKEN_TYPE_IDS);
            if (!known || spec.shape().length != 2
                    || (spec.dataType() != DataType.INT64 && spec.dataType() != DataType.INT32)) {
                throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' cannot embed text: its "
                        + "input '" + spec.name() + "' (" + spec.dataType() + " " + Arrays.toString(spec.shape())
                        + ") is not one of input_ids, attention_mask, token_type_ids as INT64 or INT32 "
                        + "[batch, sequence]");
            }
            inputs.add(spec);
        }
        if (metadata.input(INPUT_IDS) == null) {
            throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' cannot embed text: it has no "
                    + "input 'input_ids'");
        }
        TensorSpec output = config.output().map(metadata::output).orElseGet(() -> metadata.outputs().stream()
                .filter(spec -> spec.shape().length == 3).findFirst().orElse(null));
        if (output == null || output.shape().length != 3 || output.dataType() != DataType.FP32) {
            throw new InvalidEmbeddingRequest("model", "model '" + metadata.name() + "' cannot embed text: "
                    + config.output().map(name -> "output '" + name + "' (zeroserve.embeddings.output)")
                            .orElse("no output")
                    + " holds FP32 token vectors [batch, sequence, hidden]");
        }
        return new ModelPlan(inputs, output.name(), (int) output.shape()[2]);
    }

    /** One client request on its way: its tokens, one request per text. */
    private final class Job {
        final String model;
        final EmbeddingInputs inputs;
        final OptionalInt dimensions;
        TextTokenizer tokenizer;
        long[][] tokenIds;
        long[][] typeIds;
        ModelPlan plan;

        Job(String model, EmbeddingInputs inputs, OptionalInt dimensions) {
            this.model = model;
            this.inputs = inputs;
            this.dimensions = dimensions;
        }

        /** Checks and tokenizes the inputs, one request per text: the decoder of the tensor path. */
        List<InferenceRequest> prepare(ModelMetadata metadata) {
            tokenizer = tokenizer();
            if (tokenizer == null) {
                throw new InvalidEmbeddingRequest("model", "model '" + model + "' has no tokenizer, so it cannot "
                        + "embed text; set zeroserve.embeddings.tokenizer-uri to its tokenizer.json, or send tensors "
                        + "to /v2/models/" + model + "/infer");
            }
            plan = plan(metadata);
            if (dimensions.isPresent()) {
                checkDimensions(dimensions.getAsInt());
            }
            if (inputs.size() > config.maxInputs()) {
                throw new InvalidEmbeddingRequest("input", inputs.size() + " inputs in one request; at most "
                        + config.maxInputs() + " are allowed (zeroserve.embeddings.max-inputs)");
            }
            if (inputs.texts() != null) {
                tokenize(inputs.texts());
            } else {
                takeTokenIds(inputs.tokenIds());
            }
            return requests();
        }

        private void checkDimensions(int asked) {
            List<Integer> allowed = config.dimensions().orElse(List.of());
            if (asked != plan.hiddenSize() && !allowed.contains(asked)) {
                String size = plan.hiddenSize() == TensorSpec.DYNAMIC ? "embeddings of its own size"
                        : "embeddings of " + plan.hiddenSize() + " dimensions";
                throw new InvalidEmbeddingRequest("dimensions", "model '" + model + "' makes " + size
                        + (allowed.isEmpty() ? " and cannot make other sizes"
                                : " and can cut them to " + allowed + " (zeroserve.embeddings.dimensions)")
                        + "; dimensions=" + asked + " is not possible");
            }
        }

        /**
         * Refuses (or, with truncation, cuts) a text longer than the character bound before tokenizing it: 16 MiB of
         * text would otherwise cost half a minute of a core to be refused.
         */
        private void tokenize(List<String> texts) {
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
            tokenIds = new long[tokens.length][];
            typeIds = new long[tokens.length][];
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i].truncated() && !config.truncate()) {
                    throw tooLong(i, "more than");
                }
                tokenIds[i] = tokens[i].ids();
                typeIds[i] = tokens[i].typeIds();
            }
        }

        private void takeTokenIds(List<long[]> sequences) {
            tokenIds = new long[sequences.size()][];
            typeIds = new long[sequences.size()][];
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
                        throw tooLong(i, ids.length + " tokens, more than");
                    }
                    ids = Arrays.copyOf(ids, config.maxSequenceLength());
                }
                tokenIds[i] = ids;
                typeIds[i] = new long[ids.length];
            }
        }

        private InvalidEmbeddingRequest tooLong(int index, String count) {
            return new InvalidEmbeddingRequest("input", "input[" + index + "] has " + count + " the "
                    + config.maxSequenceLength() + " tokens model '" + model + "' takes "
                    + "(zeroserve.embeddings.max-sequence-length); shorten it, or set zeroserve.embeddings.truncate="
                    + "true to have longer inputs cut");
        }

        private List<InferenceRequest> requests() {
            Map<String, Long> padValues = new LinkedHashMap<>();
            for (TensorSpec spec : plan.inputs()) {
                padValues.put(spec.name(), spec.name().equals(INPUT_IDS) ? tokenizer.padId() : 0L);
            }
            SequencePadding padding = new SequencePadding(padValues);
            List<InferenceRequest.RequestedOutput> output = List.of(
                    new InferenceRequest.RequestedOutput(plan.output(), Map.of()));
            List<InferenceRequest> requests = new ArrayList<>(tokenIds.length);
            for (int text = 0; text < tokenIds.length; text++) {
                requests.add(new InferenceRequest(model, null, null, Map.of(), tensors(text), output,
                        InferenceRequest.NO_DEADLINE, padding));
            }
            return requests;
        }

        /** The model's inputs for one text, [1, its length]; the engine pads it where it shares an execution. */
        private List<Tensor> tensors(int text) {
            int length = tokenIds[text].length;
            long[] shape = { 1, length };
            List<Tensor> tensors = new ArrayList<>(plan.inputs().size());
            for (TensorSpec spec : plan.inputs()) {
                DataType type = spec.dataType();
                // Direct: a text that runs alone (the default for the bundled model) goes to ONNX Runtime in place.
                ByteBuffer data = Tensor.allocate((long) length * type.byteSize());
                for (int t = 0; t < length; t++) {
                    long value = switch (spec.name()) {
                        case INPUT_IDS -> tokenIds[text][t];
                        case ATTENTION_MASK -> 1;
                        default -> typeIds[text][t];
                    };
                    if (type == DataType.INT64) {
                        data.putLong(value);
                    } else {
                        data.putInt((int) value);
                    }
                }
                tensors.add(Tensor.of(spec.name(), type, shape, data.flip()));
            }
            return tensors;
        }

        /** Each text's embedding from its token vectors, which may be padded past its length. */
        Embeddings pool(List<InferenceService.Exchange> exchanges) {
            float[][] vectors = new float[tokenIds.length][];
            long tokens = 0;
            for (int text = 0; text < exchanges.size(); text++) {
                Tensor hidden = exchanges.get(text).response().outputs().get(0);
                int sequence = (int) hidden.shape()[1];
                int hiddenSize = (int) hidden.shape()[2];
                FloatBuffer values = hidden.data().asFloatBuffer();
                int length = tokenIds[text].length;
                tokens += length;
                vectors[text] = finish(Pooler.pool(config.pooling(), values, 0, sequence, length, hiddenSize));
            }
            metrics.requestTokens(Protocol.OPENAI, tokens);
            return new Embeddings(Arrays.asList(vectors), tokens);
        }

        private float[] finish(float[] embedding) {
            if (dimensions.isPresent() && dimensions.getAsInt() < embedding.length) {
                embedding = Arrays.copyOf(embedding, dimensions.getAsInt());
            }
            return config.normalize() ? Pooler.normalize(embedding) : embedding;
        }
    }

    @PreDestroy
    void close() {
        tokenizer.thenAccept(TextTokenizer::close);
    }
}
