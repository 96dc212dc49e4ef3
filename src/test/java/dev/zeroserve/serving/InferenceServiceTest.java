package dev.zeroserve.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.health.ServerHealth;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.EmbeddingInputs;
import dev.zeroserve.inference.Embeddings;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.InvalidEmbeddingRequest;
import dev.zeroserve.inference.InferenceStatistics;
import dev.zeroserve.inference.Protocol;
import dev.zeroserve.inference.Status;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.lifecycle.ModelLifecycle;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.metrics.InferenceTracing;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.EmbeddingsProfiles;
import dev.zeroserve.testing.TestConfig;
import dev.zeroserve.testing.TestModels;
import dev.zeroserve.text.TextEmbedder;
import dev.zeroserve.text.TokenizerLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;

/**
 * The serving API without a Quarkus boot: the real lifecycle, scheduler and engine on the float token mixer and the
 * bundled tokenizer, answered outside any Vert.x context.
 */
class InferenceServiceTest {
    private static final String MODEL = EmbeddingsProfiles.TOKEN_MIXER;
    private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
    private static ModelLifecycle lifecycle;
    private static TokenizerLoader tokenizer;
    private static InferenceService serving;

    @BeforeAll
    static void serveTheTokenMixer() throws InterruptedException {
        Path model = EmbeddingsProfiles.withTokenizer(TestModels.tokenMixer(), MODEL);
        ZeroserveConfig config = TestConfig.with(Map.of("zeroserve.model.uri", "file:" + model));
        InferenceMetrics metrics = new InferenceMetrics(REGISTRY);
        lifecycle = new ModelLifecycle(config, TestConfig.IDLE_TIMEOUT, metrics, (body, metadata, maxElements) -> {
            throw new AssertionError("the token mixer has no warm-up file");
        });
        tokenizer = new TokenizerLoader(config, metrics);
        serving = new InferenceService(lifecycle, new ServerHealth(lifecycle, tokenizer), metrics,
                new InferenceTracing(OpenTelemetry.noop().getTracer("test")), new TextEmbedder(config, tokenizer),
                config, "1.2.3");
        assertThat(serving.live()).isTrue();
        assertThat(serving.ready()).isFalse();
        assertThat(serving.modelName()).isEqualTo(MODEL);
        lifecycle.onStart(null);
        tokenizer.onStart(null);
        Await.until(Duration.ofSeconds(60), () -> serving.ready() || lifecycle.state() == ModelLifecycle.State.FAILED);
    }

    @AfterAll
    static void stop() {
        lifecycle.onStop(null);
        tokenizer.close();
    }

    @Test
    void theQuestionsOfTheV2Protocol() {
        assertThat(serving.live()).isTrue();
        assertThat(serving.ready()).isTrue();
        assertThat(serving.notReadyBecause()).isNull();
        assertThat(serving.serverMetadata()).isEqualTo(new ServerMetadata("zeroserve", "1.2.3",
                ServerMetadata.EXTENSIONS));
        assertThat(serving.modelReady(MODEL, null)).isTrue();
        assertThat(serving.modelReady(MODEL, "1")).isTrue();
        assertThat(serving.modelMetadata(MODEL, null).inputs()).extracting(spec -> spec.name())
                .containsExactly("input_ids", "attention_mask", "token_type_ids");
        ModelConfiguration config = serving.modelConfig(MODEL, null);
        assertThat(config.maxBatchSize()).isEqualTo(16);
        // on CPU one execution per core, batching or not
        assertThat(config.parallelExecutions()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.metadata().properties()).containsEntry("batching", "cross_request")
                .containsEntry("max_batch_tokens", "512");
        assertThat(serving.statistics(MODEL, null).model().name()).isEqualTo(MODEL);
    }

    @Test
    void anotherModelOrVersionIsNotFound() {
        for (Runnable question : List.<Runnable>of(() -> serving.modelReady("other", null),
                () -> serving.modelMetadata("other", null), () -> serving.modelConfig(MODEL, "9"),
                () -> serving.statistics("other", null))) {
            assertThatThrownBy(question::run).isInstanceOfSatisfying(InferenceException.class,
                    e -> assertThat(e.status()).isEqualTo(Status.NOT_FOUND));
        }
        assertFails(serving.infer(Protocol.REST, System.nanoTime(), request("other", 1, 2), ClientGone.NEVER),
                Status.NOT_FOUND, "unknown model 'other'");
    }

    @Test
    void aDecodedRequestIsRunAndCounted() {
        long before = serving.statistics(MODEL, null).success().count();
        InferenceResponse response = serving.infer(Protocol.GRPC, System.nanoTime(), request(MODEL, 101, 2023),
                ClientGone.NEVER).toCompletableFuture().join();
        Tensor hidden = response.outputs().get(0);
        assertThat(hidden.name()).isEqualTo("last_hidden_state");
        assertThat(hidden.shape()).containsExactly(1, 2, 3);
        FloatBuffer values = hidden.data().asFloatBuffer();
        // Each token's softmax weight among the row's tokens: two weights that sum to 1.
        assertThat(values.get(0) + values.get(3)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(serving.statistics(MODEL, null).success().count()).isEqualTo(before + 1);
        assertThat(REGISTRY.get("zeroserve.request.success").tag("protocol", "grpc").counter().count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRequestTheModelCannotTakeFailsWithTheValidatorsMessage() {
        InferenceRequest wrongInput = new InferenceRequest(MODEL, null, "id", Map.of(), List.of(
                ids("input_ids", 1, 2), ids("mask", 1, 1)), List.of(), InferenceRequest.NO_DEADLINE);
        assertFails(serving.infer(Protocol.REST, System.nanoTime(), wrongInput, ClientGone.NEVER),
                Status.INVALID_ARGUMENT, "mask");
        InferenceRequest badTimeout = new InferenceRequest(MODEL, null, null, Map.of("timeout", -1L),
                request(MODEL, 1, 2).inputs(), List.of(), InferenceRequest.NO_DEADLINE);
        assertFails(serving.infer(Protocol.REST, System.nanoTime(), badTimeout, ClientGone.NEVER),
                Status.INVALID_ARGUMENT, "parameter 'timeout' must be a positive number of microseconds");
    }

    @Test
    void aRequestWhoseDeadlinePassedIsNotRun() {
        InferenceRequest late = new InferenceRequest(MODEL, null, null, Map.of(), request(MODEL, 1, 2).inputs(),
                List.of(), System.nanoTime() - 1);
        assertFails(serving.infer(Protocol.GRPC, System.nanoTime(), late, ClientGone.NEVER),
                Status.DEADLINE_EXCEEDED, "deadline passed");
    }

    @Test
    void aFailureBeforeInferenceIsCountedAsTheRequestsOwn() {
        long failedBefore = serving.statistics(MODEL, null).failure().count();
        long received = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(5);
        InferenceException malformed = InferenceException.invalid("the body is not JSON");
        CompletionStage<InferenceResponse> answer = serving.failed(Protocol.REST, received, malformed);
        assertFails(answer, Status.INVALID_ARGUMENT, "the body is not JSON");
        assertThat(serving.statistics(MODEL, null).failure().count()).isEqualTo(failedBefore + 1);
        assertThat(serving.statistics(MODEL, null).failure().nanos()).isGreaterThanOrEqualTo(
                TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(REGISTRY.get("zeroserve.request.failure").tag("protocol", "rest").tag("reason", "invalid")
                .counter().count()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void textsAreEmbeddedOneRequestEachAndPooled() {
        Embeddings embeddings = serving.embed(MODEL, EmbeddingInputs.ofTexts(List.of("hello world", "hi")),
                OptionalInt.empty(), ClientGone.NEVER).toCompletableFuture().join();
        assertThat(embeddings.vectors()).hasSize(2);
        for (float[] vector : embeddings.vectors()) {
            assertThat(vector).hasSize(3);
            double norm = 0;
            for (float value : vector) {
                norm += value * value;
            }
            assertThat(norm).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-5));
        }
        // [CLS] hello world [SEP] and [CLS] hi [SEP].
        assertThat(embeddings.promptTokens()).isEqualTo(4 + 3);
        assertThat(REGISTRY.get("zeroserve.request.tokens").tag("protocol", "openai").summary().count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void longTextsShareAnExecutionWithinTheTokenBudget() {
        Map<Long, Long> before = executionsBySize();
        // 120 tokens each ([CLS], 118 words, [SEP]): 512 token positions hold 4 of them.
        String text = "word ".repeat(118).trim();
        Embeddings embeddings = serving.embed(MODEL, EmbeddingInputs.ofTexts(Collections.nCopies(40, text)),
                OptionalInt.empty(), ClientGone.NEVER).toCompletableFuture().join();
        assertThat(embeddings.promptTokens()).isEqualTo(40 * 120);
        assertThat(sizesRunSince(before)).as("rows of the executions that ran them").allMatch(size -> size <= 4)
                .contains(4L);
    }

    @Test
    void aRequestOfManyLongRowsIsSplitToTheTokenBudgetAndJoinedAgainInOrder() {
        Map<Long, Long> before = executionsBySize();
        int rows = 10;
        int length = 200;
        InferenceResponse whole = serving.infer(Protocol.REST, System.nanoTime(), sequences(0, rows, length),
                ClientGone.NEVER).toCompletableFuture().join();
        // 512 token positions hold 2 rows of 200 tokens.
        assertThat(sizesRunSince(before)).as("rows of the executions that ran it").containsExactly(2L);
        Tensor hidden = whole.outputs().get(0);
        assertThat(hidden.shape()).containsExactly(rows, length, 3);
        for (int row = 0; row < rows; row++) {
            Tensor alone = serving.infer(Protocol.REST, System.nanoTime(), sequences(row, 1, length), ClientGone.NEVER)
                    .toCompletableFuture().join().outputs().get(0);
            assertThat(hidden.rows(row, 1).data()).as("row %d", row).isEqualTo(alone.data());
        }
    }

    /** Rows {@code first} to {@code first + rows} of a request of distinct token sequences of one length. */
    private static InferenceRequest sequences(int first, int rows, int length) {
        ByteBuffer ids = ByteBuffer.allocate(rows * length * 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer mask = ByteBuffer.allocate(rows * length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int row = first; row < first + rows; row++) {
            for (int token = 0; token < length; token++) {
                ids.putLong(1000 + row * 37L + token * 11L);
                mask.putLong(1);
            }
        }
        long[] shape = { rows, length };
        return new InferenceRequest(MODEL, null, null, Map.of(), List.of(Tensor.of("input_ids", DataType.INT64, shape,
                ids.flip()), Tensor.of("attention_mask", DataType.INT64, shape, mask.flip()), Tensor.of("token_type_ids",
                DataType.INT64, shape, ByteBuffer.allocate(rows * length * 8))), List.of(), InferenceRequest.NO_DEADLINE);
    }

    /** The batch sizes (rows) of the executions run since {@code before} was read. */
    private static Set<Long> sizesRunSince(Map<Long, Long> before) {
        Set<Long> sizes = new HashSet<>();
        executionsBySize().forEach((size, count) -> {
            if (count > before.getOrDefault(size, 0L)) {
                sizes.add(size);
            }
        });
        return sizes;
    }

    private static Map<Long, Long> executionsBySize() {
        Map<Long, Long> counts = new HashMap<>();
        for (InferenceStatistics.BatchStatistics batch : serving.statistics(MODEL, null).batches()) {
            counts.put(batch.batchSize(), batch.computeInfer().count());
        }
        return counts;
    }

    @Test
    void embeddingsRefuseWhatTheModelCannotDo() {
        assertFails(serving.embed(MODEL, EmbeddingInputs.ofTexts(List.of("x")), OptionalInt.of(2),
                ClientGone.NEVER), Status.INVALID_ARGUMENT, "dimensions=2 is not possible");
        assertFails(serving.embed("other", EmbeddingInputs.ofTexts(List.of("x")), OptionalInt.empty(),
                ClientGone.NEVER), Status.NOT_FOUND, "unknown model 'other'");
        assertThatThrownBy(() -> serving.embed(MODEL, EmbeddingInputs.ofTexts(List.of("")), OptionalInt.empty(),
                ClientGone.NEVER).toCompletableFuture().join()).hasCauseInstanceOf(InvalidEmbeddingRequest.class);
    }

    private static void assertFails(CompletionStage<?> answer, Status status, String message) {
        assertThatThrownBy(() -> answer.toCompletableFuture().join()).satisfies(failure -> {
            InferenceException e = InferenceService.unwrap(failure);
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.getMessage()).contains(message);
        });
    }

    /** A request of one row of two tokens; every input the token mixer takes. */
    private static InferenceRequest request(String model, long first, long second) {
        return new InferenceRequest(model, null, null, Map.of(), List.of(ids("input_ids", first, second),
                ids("attention_mask", 1, 1), ids("token_type_ids", 0, 0)), List.of(), InferenceRequest.NO_DEADLINE);
    }

    private static Tensor ids(String name, long first, long second) {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(first).putLong(second);
        return Tensor.of(name, DataType.INT64, new long[] { 1, 2 }, data.flip());
    }
}
