package dev.zeroserve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.TestModels;

class ModelSourceTest {

    @Test
    void bundledModelIsOnTheClasspathUnderItsServedName() throws Exception {
        ModelSource source = ModelSource.parse(ModelSource.BUNDLED_URI);
        assertThat(source.file()).isEmpty();
        assertThat(source.defaultName()).isEqualTo("all-minilm-l6-v2");
        assertThat(source.layoutVersion()).isEmpty();
        assertThat(source.readResource().length).isGreaterThan(1_000_000);
    }

    @Test
    void theTokenizerIsTheBundledModelsOwnOrATokenizerJsonBesideTheModelFile() throws Exception {
        assertThat(ModelSource.parse(ModelSource.BUNDLED_URI).defaultTokenizerUri())
                .contains("classpath:all-minilm-l6-v2-q-tokenizer.json");
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("adder/1/model.onnx"));
        assertThat(ModelSource.parse("file:" + file).defaultTokenizerUri()).isEmpty();
        Path tokenizer = Files.writeString(file.resolveSibling("tokenizer.json"), "{}");
        assertThat(ModelSource.parse("file:" + file).defaultTokenizerUri()).contains("file:" + tokenizer);
    }

    @Test
    void repositoryLayoutGivesNameAndVersion() {
        Path repository = TestModels.tempRepository();
        Path file = TestModels.add().writeTo(repository.resolve("adder/12/model.onnx"));
        ModelSource source = ModelSource.parse("file:" + file);
        assertThat(source.defaultName()).isEqualTo("adder");
        assertThat(source.layoutVersion()).contains("12");
        assertThat(ModelSource.parse("file://" + file.getParent()).file()).contains(file);
    }

    @Test
    void aFileOutsideTheLayoutIsNamedAfterItself() {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("v1/my-model.onnx"));
        ModelSource source = ModelSource.parse("file:" + file);
        assertThat(source.defaultName()).isEqualTo("my-model");
        assertThat(source.layoutVersion()).isEmpty();
    }

    @Test
    void badUrisNameTheConfigurationKey() throws Exception {
        assertThatThrownBy(() -> ModelSource.parse("s3://bucket/model.onnx"))
                .hasMessageContaining("zeroserve.model.uri").hasMessageContaining("classpath: or file:");
        assertThatThrownBy(() -> ModelSource.parse("classpath:missing.onnx"))
                .hasMessageContaining("zeroserve.model.uri").hasMessageContaining("no such resource");
        Path missing = Files.createTempDirectory("empty").resolve("nothing.onnx");
        assertThatThrownBy(() -> ModelSource.parse("file:" + missing))
                .hasMessageContaining("zeroserve.model.uri").hasMessageContaining("not a readable file");
    }
}
