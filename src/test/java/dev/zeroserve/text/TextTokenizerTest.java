package dev.zeroserve.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

class TextTokenizerTest {
    static final String BUNDLED = "classpath:all-minilm-l6-v2-q-tokenizer.json";
    private static TextTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = TextTokenizer.load(BUNDLED, 8);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    @Test
    void encodesWithSpecialTokensAndWithoutTheFilesOwnPadding() {
        // tokenizer.json pads every text to 128; the batcher pads instead, so texts keep their own length.
        TextTokenizer.Tokens[] tokens = tokenizer.encode(List.of("Hello world", "hi"));
        assertThat(tokens[0].ids()).containsExactly(101, 7592, 2088, 102);
        assertThat(tokens[0].typeIds()).containsExactly(0, 0, 0, 0);
        assertThat(tokens[0].truncated()).isFalse();
        assertThat(tokens[1].ids()).containsExactly(101, 7632, 102);
    }

    @Test
    void cutsAtTheMaximumLengthAndSaysSo() {
        TextTokenizer.Tokens tokens = tokenizer.encode(List.of("one two three four five six seven eight"))[0];
        assertThat(tokens.ids()).hasSize(8).startsWith(101).endsWith(102);
        assertThat(tokens.truncated()).isTrue();
    }

    @Test
    void givesTheIdsTypeIdsAndTruncationOfDjlsOwnEncodings() throws Exception {
        List<String> texts = List.of("Hello world", "Ünïcödé, emoji 🙂 and CJK 漢字 tokens", "a b", "one two three "
                + "four five six seven eight nine", "  spaces\tand\nnewlines  ", "[CLS] [SEP] [PAD] [UNK]");
        TextTokenizer.Tokens[] tokens = tokenizer.encode(texts);
        try (InputStream json = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json");
                HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false",
                        "truncation", "true", "maxLength", "8"))) {
            Encoding[] expected = djl.batchEncode(texts);
            assertThat(tokens).hasSameSizeAs(expected);
            for (int i = 0; i < expected.length; i++) {
                assertThat(tokens[i].ids()).as(texts.get(i)).containsExactly(expected[i].getIds());
                assertThat(tokens[i].typeIds()).as(texts.get(i)).containsExactly(expected[i].getTypeIds());
                assertThat(tokens[i].truncated()).as(texts.get(i)).isEqualTo(expected[i].exceedMaxLength());
            }
            assertThat(tokens[3].truncated()).isTrue();
        }
    }

    @Test
    void readsTheVocabularySizeAndPadIdFromTheFile() {
        assertThat(tokenizer.vocabularySize()).isEqualTo(30522);
        assertThat(tokenizer.padId()).isZero();
    }

    @Test
    void aMissingOrInvalidTokenizerNamesTheKey() throws Exception {
        assertThatThrownBy(() -> TextTokenizer.load("classpath:nope.json", 8))
                .hasMessageContaining("zeroserve.embeddings.tokenizer-uri=classpath:nope.json");
        assertThatThrownBy(() -> TextTokenizer.load("http://example.com/tokenizer.json", 8))
                .hasMessageContaining("must start with classpath: or file:");
        Path notATokenizer = Files.createTempFile("tokenizer", ".json");
        Files.writeString(notATokenizer, "{\"model\":{}}");
        assertThatThrownBy(() -> TextTokenizer.load("file:" + notATokenizer, 8))
                .hasMessageContaining("not a HuggingFace tokenizer.json");
    }
}
