package dev.zeroserve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class ConfiguredUriTest {

    @Test
    void readsClasspathResourcesAndFilesAlike() throws Exception {
        assertThat(ConfiguredUri.read("k", "classpath:/application.properties")).isNotEmpty();
        Path file = Files.writeString(Files.createTempFile("configured", ".json"), "{}");
        assertThat(ConfiguredUri.read("k", "file:" + file)).containsExactly('{', '}');
        assertThat(ConfiguredUri.read("k", "file://" + file)).containsExactly('{', '}');
        assertThat(ConfiguredUri.readFile("k", "file:" + file)).containsExactly('{', '}');
    }

    @Test
    void failuresNameTheKeyAndTheUri() {
        assertThatThrownBy(() -> ConfiguredUri.read("k", "classpath:nope.json"))
                .hasMessage("k=classpath:nope.json: no such resource on the classpath");
        assertThatThrownBy(() -> ConfiguredUri.read("k", "http://x/y"))
                .hasMessage("k=http://x/y: must start with classpath: or file:");
        assertThatThrownBy(() -> ConfiguredUri.readFile("k", "classpath:application.properties"))
                .hasMessage("k=classpath:application.properties: must start with file:");
        assertThatThrownBy(() -> ConfiguredUri.readFile("k", "file:/no/such/file"))
                .hasMessageStartingWith("k=file:/no/such/file: cannot be read: ");
    }
}
