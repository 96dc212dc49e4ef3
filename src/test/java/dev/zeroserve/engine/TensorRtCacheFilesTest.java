package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorRtCacheFilesTest {
    private static final Instant START = Instant.parse("2026-12-07T06:00:00Z");

    @TempDir
    Path cache;

    @Test
    void separatesWhatThisLoadWroteFromWhatItFound() throws IOException {
        file("model_sm89.engine", 3 * 1024 * 1024, START.plusSeconds(40));
        file("model_sm89.profile", 512, START.plusSeconds(40));
        file("TensorrtExecutionProvider_cache_sm89.timing", 1024 * 1024, START.minusSeconds(3600));
        Files.createDirectory(cache.resolve("subdirectory"));

        assertThat(TensorRtCacheFiles.list(cache, START).describe()).isEqualTo(cache + ": 3 files, 4.0 MiB; "
                + "written now: model_sm89.engine 3.0 MiB, model_sm89.profile 0.0 MiB; "
                + "found: TensorrtExecutionProvider_cache_sm89.timing 1.0 MiB");
    }

    @Test
    void anEngineFoundIsNotCountedAsBuilt() throws IOException {
        file("model_sm89.engine", 1024 * 1024, START.minusSeconds(1));

        assertThat(TensorRtCacheFiles.list(cache, START).describe()).isEqualTo(cache + ": 1 file, 1.0 MiB; "
                + "written now: none; found: model_sm89.engine 1.0 MiB");
    }

    @Test
    void anEmptyOrMissingDirectorySaysNothingWasWritten() {
        assertThat(TensorRtCacheFiles.list(cache, START).describe()).contains("empty, so no engine was written");
        assertThat(TensorRtCacheFiles.list(cache.resolve("missing"), START).describe()).contains("no such directory");
    }

    @Test
    void holdsAnEngineOnlyWhereANonEmptyEngineFileIsThere() throws IOException {
        assertThat(TensorRtCacheFiles.list(cache.resolve("missing"), START).holdsEngine()).isFalse();
        file("TensorrtExecutionProvider_cache_sm89.timing", 1024, START.plusSeconds(1));
        assertThat(TensorRtCacheFiles.list(cache, START).holdsEngine()).as("a timing cache alone").isFalse();
        file("model_sm89.engine", 0, START.plusSeconds(1));
        assertThat(TensorRtCacheFiles.list(cache, START).holdsEngine()).as("an engine cut short").isFalse();
        file("model_sm89.engine", 1024, START.minusSeconds(1));
        assertThat(TensorRtCacheFiles.list(cache, START).holdsEngine()).as("an engine found").isTrue();
        assertThat(TensorRtCacheFiles.list(cache, START).wroteEngine()).as("found, not written").isFalse();
        file("model_sm89.engine", 1024, START.plusSeconds(1));
        assertThat(TensorRtCacheFiles.list(cache, START).wroteEngine()).as("written by this load").isTrue();
    }

    private void file(String name, int bytes, Instant modified) throws IOException {
        Path file = Files.write(cache.resolve(name), new byte[bytes]);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }
}
