package dev.zeroserve.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.EmbeddingInputs;
import dev.zeroserve.inference.Embeddings;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.InvalidEmbeddingRequest;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The embedding path without a model or a Quarkus boot: plan, tokenize, one request per text, pool. */
class TextEmbedderTest {
    private static final long[] BATCH_SEQUENCE = { TensorSpec.DYNAMIC, TensorSpec.DYNAMIC };
    private static final ModelMetadata ENCODER = encoder(DataType.INT64);
    private static TokenizerLoader tokenizer;
    private static TextEmbedder embedder;

    @BeforeAll
    static void loadTheBundledTokenizer() throws InterruptedException {
        ZeroserveConfig config = TestConfig.with(Map.of("zeroserve.embeddings.tokenizer-uri",
                "classpath:all-minilm-l6-v2-q-tokenizer.json", "zeroserve.embeddings.max-inputs", "3",
                "zeroserve.embeddings.max-sequence-length", "8"));
        tokenizer = new TokenizerLoader(config, new InferenceMetrics(new SimpleMeterRegistry()));
        embedder = new TextEmbedder(config, tokenizer);
        tokenizer.onStart(null);
        Await.until(Duration.ofSeconds(30), tokenizer::loaded);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static ModelMetadata encoder(DataType idType) {
        return new ModelMetadata("encoder", "1", ModelMetadata.PLATFORM, List.of(
                new TensorSpec("input_ids", idType, BATCH_SEQUENCE),
                new TensorSpec("attention_mask", idType, BATCH_SEQUENCE)),
                List.of(new TensorSpec("last_hidden_state", DataType.FP32, new long[] { -1, -1, 2 })), Map.of());
    }

    @Test
    void theModelsPlanIsMadeOnce() {
        EmbeddingPlan plan = embedder.plan(ENCODER);
        assertThat(embedder.plan(ENCODER)).isSameAs(plan);
        assertThat(plan.output()).isEqualTo("last_hidden_state");
        assertThat(plan.hiddenSize()).isEqualTo(2);
        assertThat(plan.inputs()).extracting(TensorSpec::name).containsExactly("input_ids", "attention_mask");
    }

    @Test
    void aModelWithoutTokenInputsCannotEmbed() {
        ModelMetadata images = new ModelMetadata("images", "1", ModelMetadata.PLATFORM,
                List.of(new TensorSpec("pixels", DataType.FP32, new long[] { -1, 3 })),
                List.of(new TensorSpec("last_hidden_state", DataType.FP32, new long[] { -1, -1, 2 })), Map.of());
        assertThatThrownBy(() -> embedder.plan(images)).isInstanceOfSatisfying(InvalidEmbeddingRequest.class,
                e -> assertThat(e.field()).isEqualTo("model"))
                .hasMessageContaining("input 'pixels' (FP32 [-1, 3]) is not one of input_ids");
    }

    @Test
    void eachTextIsOneRequestOfOneRowInTheModelsIntegerType() {
        EmbeddingPlan plan = embedder.plan(encoder(DataType.INT32));
        TokenizedInputs tokens = embedder.tokenize(plan, EmbeddingInputs.ofTexts(List.of("hello world", "hi")),
                OptionalInt.empty());
        assertThat(tokens.ids()[0]).containsExactly(101, 7592, 2088, 102);
        assertThat(tokens.ids()[1]).containsExactly(101, 7632, 102);
        List<InferenceRequest> requests = plan.requests("encoder", tokens);
        assertThat(requests).hasSize(2);
        InferenceRequest first = requests.get(0);
        assertThat(first.modelName()).isEqualTo("encoder");
        assertThat(first.outputs()).extracting(InferenceRequest.RequestedOutput::name)
                .containsExactly("last_hidden_state");
        Tensor ids = first.inputs().get(0);
        assertThat(ids.dataType()).isEqualTo(DataType.INT32);
        assertThat(ids.shape()).containsExactly(1, 4);
        assertThat(ids.data().getInt(4)).isEqualTo(7592);
        Tensor mask = first.inputs().get(1);
        assertThat(mask.data().getInt(12)).isEqualTo(1);
        assertThat(first.padding()).isSameAs(requests.get(1).padding());
    }

    @Test
    void inputsAreCheckedBeforeTheyAreTokenized() {
        EmbeddingPlan plan = embedder.plan(ENCODER);
        assertThatThrownBy(() -> embedder.tokenize(plan, EmbeddingInputs.ofTexts(List.of("a", "b", "c", "d")),
                OptionalInt.empty())).hasMessage("4 inputs in one request; at most 3 are allowed "
                        + "(zeroserve.embeddings.max-inputs)");
        assertThatThrownBy(() -> embedder.tokenize(plan, EmbeddingInputs.ofTexts(List.of("a", "")),
                OptionalInt.empty())).hasMessageContaining("input[1] is an empty string");
        assertThatThrownBy(() -> embedder.tokenize(plan, EmbeddingInputs.ofTexts(List.of("a")), OptionalInt.of(1)))
                .isInstanceOfSatisfying(InvalidEmbeddingRequest.class,
                        e -> assertThat(e.field()).isEqualTo("dimensions"));
        assertThatThrownBy(() -> embedder.tokenize(plan, EmbeddingInputs.ofTokenIds(List.of(new long[] { -1 })),
                OptionalInt.empty())).hasMessageContaining("input[0][0] = -1 is not a token id of model 'encoder'");
        String nineTokens = String.join(" ", Collections.nCopies(7, "word"));
        assertThatThrownBy(() -> embedder.tokenize(plan, EmbeddingInputs.ofTexts(List.of(nineTokens)),
                OptionalInt.empty())).hasMessageContaining("input[0] has more than the 8 tokens model 'encoder' takes");
    }

    @Test
    void eachTextIsPooledOverItsOwnTokensAndNormalised() {
        TokenizedInputs tokens = new TokenizedInputs(new long[][] { { 1, 2 }, { 1 } },
                new long[][] { { 0, 0 }, { 0 } });
        // Both texts' token vectors padded to three positions, as an execution shared with a longer text gives them.
        List<InferenceResponse> responses = new ArrayList<>();
        responses.add(hidden(3, 1, 3, 5, 5, 100, 100));
        responses.add(hidden(3, 0, 2, 100, 100, 100, 100));
        Embeddings embeddings = embedder.pool(tokens, responses, OptionalInt.empty());
        assertThat(embeddings.promptTokens()).isEqualTo(3);
        // Means (3, 4) and (0, 2), scaled to unit length.
        assertThat(embeddings.vectors().get(0)).containsExactly(0.6f, 0.8f);
        assertThat(embeddings.vectors().get(1)).containsExactly(0f, 1f);
    }

    /** One text's token vectors of two values each, [1, sequence, 2]. */
    private static InferenceResponse hidden(int sequence, float... values) {
        ByteBuffer data = Tensor.allocate(values.length * Float.BYTES);
        for (float value : values) {
            data.putFloat(value);
        }
        Tensor tensor = Tensor.of("last_hidden_state", DataType.FP32, new long[] { 1, sequence, 2 }, data.flip());
        return new InferenceResponse("encoder", "1", null, List.of(tensor));
    }
}
