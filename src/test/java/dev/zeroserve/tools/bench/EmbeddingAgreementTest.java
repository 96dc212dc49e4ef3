package dev.zeroserve.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingAgreementTest {
    @TempDir
    Path fortunes;

    @Test
    void takesDistinctOneLineSayingsOfThreeToFortyWordsInFileNameOrder() throws IOException {
        Files.writeString(fortunes.resolve("b"), "Second file's saying, in three.\n%\nToo short\n%\n");
        Files.writeString(fortunes.resolve("a"), """
                A saying of one line is kept.
                %
                A saying over
                two lines is not.
                %
                A saying of one line is kept.
                %
                """);
        Files.writeString(fortunes.resolve("a.dat"), "Index files are skipped, even when they read like one.\n");
        Files.createSymbolicLink(fortunes.resolve("c"), fortunes.resolve("a"));
        Files.createDirectory(fortunes.resolve("off"));

        assertThat(EmbeddingAgreement.sentences(fortunes, 2)).containsExactly("A saying of one line is kept.",
                "Second file's saying, in three.");
        assertThatThrownBy(() -> EmbeddingAgreement.sentences(fortunes, 3)).hasMessageContaining("fewer than 3");
    }

    @Test
    void readsUtf8AndSkipsSayingsWithControlCharactersOrBytesThatAreNotUtf8() throws IOException {
        Files.write(fortunes.resolve("a"), ("Overstruck b\bbold words here.\n%\nLatin-1 caf\u00e9 is not".getBytes(
                StandardCharsets.ISO_8859_1)));
        Files.write(fortunes.resolve("b"), "Na\u00efve caf\u00e9 sayings are kept whole.\n%\n"
                .getBytes(StandardCharsets.UTF_8));

        assertThat(EmbeddingAgreement.sentences(fortunes, 1))
                .containsExactly("Na\u00efve caf\u00e9 sayings are kept whole.");
        assertThatThrownBy(() -> EmbeddingAgreement.sentences(fortunes, 2)).hasMessageContaining("fewer than 2");
    }

    @Test
    void cosineIsOneForTheSameDirectionAndZeroForOrthogonalVectors() {
        assertThat(EmbeddingAgreement.cosine(new float[] { 1, 2, 3 }, new float[] { 2, 4, 6 })).isCloseTo(1,
                within(1e-12));
        assertThat(EmbeddingAgreement.cosine(new float[] { 1, 0 }, new float[] { 0, 5 })).isZero();
        assertThat(EmbeddingAgreement.cosine(new float[] { 1, 1 }, new float[] { 1, 0 }))
                .isCloseTo(Math.sqrt(0.5), within(1e-12));
    }
}
