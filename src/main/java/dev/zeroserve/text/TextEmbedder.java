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
import java.util.TreeMap;
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
import dev.zeroserve.inference.InferenceService;
import dev.zeroserve.inference.SequencePadding;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceMetrics.Protocol;
import dev.zeroserve.model.ModelMetadata;
import dev.zeroserve.model.ModelSource;
import dev.zeroserve.model.TensorSpec;
import dev.zeroserve.model.ZeroserveConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;

/**
 * Text in, embeddings out, for task APIs: tokenizes, groups the texts by length bucket into requests whose
 * sequence dimension the batcher may pad (so that they share model calls with other clients' texts of similar
 * length), sends them through {@link InferenceService} as one client request, and pools each text's token vectors.
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

    private final ZeroserveConfig.Embeddings config;
    private final InferenceService inference;
    private final ModelLifecycle lifecycle;
    private final InferenceMetrics metrics;
    private final int maxPartRows;
    private final Optional<String> tokenizerUri;
    /** Loads beside the model, off the start-up path; absent when the model has no tokenizer. */
    private final CompletableFuture<TextTokenizer> tokenizer = new CompletableFuture<>();

    /** @throws IllegalArgumentException naming the configuration key, which stops start-up */
    TextEmbedder(ZeroserveConfig config, InferenceService inference, ModelLifecycle lifecycle,
            InferenceMetrics metrics) {
        this.config = config.embeddings();
        this.inference = inference;
        this.lifecycle = lifecycle;
        this.metrics = metrics;
        this.maxPartRows = config.batching().maxBatchSize();
        atLeast("zeroserve.embeddings.max-sequence-length", this.config.maxSequenceLength(), 1);
        atLeast("zeroserve.embeddings.max-inputs", this.config.maxInputs(), 1);
        for (int size : this.config.dimensions().orElse(List.of())) {
            atLeast("zeroserve.embeddings.dimensions", size, 1);
        }
        this.tokenizerUri = this.config.tokenizerUri()
                .or(() -> ModelSource.parse(config.model().uri()).defaultTokenizerUri());
    }

    /** Loads the tokenizer on its own thread, as the model loads on another, so neither delays the other. */
    void onStart(@Observes StartupEvent event) {
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

    private static void atLeast(String key, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(key + "=" + value + ": must be at least " + minimum);
        }
    }

    /** The tokenizer, once loaded, or null when the model has none. */
    private TextTokenizer tokenizer() {
        if (tokenizerUri.isEmpty()) {
            return null;
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
    public CompletionStage<Embeddings> embed(String model, EmbeddingInputs inputs, OptionalInt dimensions) {
        Job job = new Job(model, inputs, dimensions);
        return inference.inferParts(Protocol.OPENAI, job::prepare).thenApply(job::pool);
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

    /** One client request on its way: its tokens, and which inputs went into which part. */
    private final class Job {
        final String model;
        final EmbeddingInputs inputs;
        final OptionalInt dimensions;
        TextTokenizer tokenizer;
        long[][] tokenIds;
        long[][] typeIds;
        List<int[]> parts;
        ModelPlan plan;

        Job(String model, EmbeddingInputs inputs, OptionalInt dimensions) {
            this.model = model;
            this.inputs = inputs;
            this.dimensions = dimensions;
        }

        /** Checks and tokenizes the inputs and groups them into requests: the decoder of the tensor path. */
        List<InferenceRequest> prepare() {
            ModelMetadata metadata = lifecycle.resolve(model, null).metadata();
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
            return group();
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

        private void tokenize(List<String> texts) {
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i).isEmpty()) {
                    throw new InvalidEmbeddingRequest("input", "input[" + i + "] is an empty string; there is "
                            + "nothing to embed");
                }
            }
            TextTokenizer.Tokens[] tokens = tokenizer.encode(texts);
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

        /**
         * One request per length bucket and at most a full batch of rows, so that a long input does not make the
         * short ones of the same client request pay for its padding.
         */
        private List<InferenceRequest> group() {
            TreeMap<Long, List<Integer>> buckets = new TreeMap<>();
            for (int i = 0; i < tokenIds.length; i++) {
                buckets.computeIfAbsent(SequencePadding.lengthBucket(tokenIds[i].length), b -> new ArrayList<>())
                        .add(i);
            }
            parts = new ArrayList<>();
            List<InferenceRequest> requests = new ArrayList<>();
            Map<String, Long> padValues = new LinkedHashMap<>();
            for (TensorSpec spec : plan.inputs()) {
                padValues.put(spec.name(), spec.name().equals(INPUT_IDS) ? tokenizer.padId() : 0L);
            }
            SequencePadding padding = new SequencePadding(padValues);
            for (List<Integer> bucket : buckets.values()) {
                for (int from = 0; from < bucket.size(); from += maxPartRows) {
                    int[] rows = bucket.subList(from, Math.min(bucket.size(), from + maxPartRows)).stream()
                            .mapToInt(Integer::intValue).toArray();
                    parts.add(rows);
                    requests.add(new InferenceRequest(model, null, null, Map.of(), tensors(rows),
                            List.of(new InferenceRequest.RequestedOutput(plan.output(), Map.of())),
                            InferenceRequest.NO_DEADLINE, padding));
                }
            }
            return requests;
        }

        /** The model's inputs for these rows, padded on the right to the longest of them. */
        private List<Tensor> tensors(int[] rows) {
            int sequence = 0;
            for (int row : rows) {
                sequence = Math.max(sequence, tokenIds[row].length);
            }
            long[] shape = { rows.length, sequence };
            List<Tensor> tensors = new ArrayList<>(plan.inputs().size());
            for (TensorSpec spec : plan.inputs()) {
                DataType type = spec.dataType();
                ByteBuffer data = Tensor.allocate((long) rows.length * sequence * type.byteSize());
                for (int row : rows) {
                    int length = tokenIds[row].length;
                    for (int t = 0; t < sequence; t++) {
                        long value = switch (spec.name()) {
                            case INPUT_IDS -> t < length ? tokenIds[row][t] : tokenizer.padId();
                            case ATTENTION_MASK -> t < length ? 1 : 0;
                            default -> t < length ? typeIds[row][t] : 0;
                        };
                        if (type == DataType.INT64) {
                            data.putLong(value);
                        } else {
                            data.putInt((int) value);
                        }
                    }
                }
                tensors.add(Tensor.of(spec.name(), type, shape, data.flip()));
            }
            return tensors;
        }

        /** Each input's embedding from its part's token vectors. */
        Embeddings pool(List<InferenceService.Exchange> exchanges) {
            float[][] vectors = new float[tokenIds.length][];
            long tokens = 0;
            for (int p = 0; p < exchanges.size(); p++) {
                Tensor hidden = exchanges.get(p).response().outputs().get(0);
                int sequence = (int) hidden.shape()[1];
                int hiddenSize = (int) hidden.shape()[2];
                FloatBuffer values = hidden.data().asFloatBuffer();
                int[] rows = parts.get(p);
                for (int r = 0; r < rows.length; r++) {
                    int length = tokenIds[rows[r]].length;
                    tokens += length;
                    vectors[rows[r]] = finish(Pooler.pool(config.pooling(), values, r, sequence, length, hiddenSize));
                }
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
