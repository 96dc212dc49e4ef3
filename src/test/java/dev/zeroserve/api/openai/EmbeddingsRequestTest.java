package dev.zeroserve.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonFactory;

import dev.zeroserve.inference.EmbeddingLimits;
import dev.zeroserve.inference.InvalidEmbeddingRequest;

/** The body read as a stream, its counts bounded while it is read. */
class EmbeddingsRequestTest {
    private static final EmbeddingLimits STRICT = new EmbeddingLimits(2, 2000, 4, false);
    private static final EmbeddingLimits CUTTING = new EmbeddingLimits(2, 2000, 4, true);

    private static EmbeddingsRequest parse(EmbeddingLimits limits, String body) {
        JsonFactory json = EmbeddingsRequest.factory(limits);
        return EmbeddingsRequest.parse(json, limits, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryFormOfInput() {
        EmbeddingsRequest texts = parse(STRICT, "{\"input\":[\"a\",\"b\"],\"user\":{\"x\":[1]},\"model\":\"m\","
                + "\"encoding_format\":\"base64\",\"dimensions\":3}");
        assertThat(texts.model()).isEqualTo("m");
        assertThat(texts.inputs().texts()).containsExactly("a", "b");
        assertThat(texts.base64()).isTrue();
        assertThat(texts.dimensions()).hasValue(3);
        assertThat(parse(STRICT, "{\"model\":\"m\",\"input\":\"one\"}").inputs().texts()).containsExactly("one");
        assertThat(parse(STRICT, "{\"model\":\"m\",\"input\":[1,2]}").inputs().tokenIds().get(0)).containsExactly(1, 2);
        assertThat(parse(STRICT, "{\"model\":\"m\",\"input\":[[1],[2,3]]}").inputs().tokenIds()).hasSize(2);
    }

    @Test
    void tooManyInputsAreCountedNotKept() {
        StringBuilder body = new StringBuilder("{\"model\":\"m\",\"input\":[\"a\"");
        body.append(",\"a\"".repeat(99_999)).append("]}");
        assertThatThrownBy(() -> parse(STRICT, body.toString())).isInstanceOf(InvalidEmbeddingRequest.class)
                .hasMessageContaining("100000 inputs in one request; at most 2");
        assertThatThrownBy(() -> parse(STRICT, "{\"model\":\"m\",\"input\":[[1],[2],[3]]}"))
                .hasMessageContaining("3 inputs in one request");
    }

    @Test
    void tokenIdsPastTheSequenceLengthAreRefusedOrCut() {
        assertThatThrownBy(() -> parse(STRICT, "{\"model\":\"m\",\"input\":[1,2,3,4,5,6]}"))
                .hasMessageContaining("input[0] has 6 tokens, more than the 4");
        assertThat(parse(CUTTING, "{\"model\":\"m\",\"input\":[[1,2,3,4,5,6],[7]]}").inputs().tokenIds().get(0))
                .containsExactly(1, 2, 3, 4);
    }

    @Test
    void aStringLongerThanAnyInputMayBeIsRefusedWhileItIsRead() {
        String huge = "x".repeat(5000);
        assertThatThrownBy(() -> parse(STRICT, "{\"model\":\"m\",\"input\":\"" + huge + "\"}"))
                .hasMessageContaining("characters, more than the 2000 a text may have");
        assertThatThrownBy(() -> parse(CUTTING, "{\"model\":\"m\",\"input\":\"" + "x".repeat(9000) + "\"}"))
                .hasMessageContaining("more than the 4 times 2000");
        assertThat(parse(CUTTING, "{\"model\":\"m\",\"input\":\"" + huge + "\"}").inputs().texts().get(0))
                .hasSize(5000);
    }
}
