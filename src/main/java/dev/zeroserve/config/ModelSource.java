package dev.zeroserve.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the model comes from, and the name and version it is served under when configuration does not say.
 * A file in the repository layout {@code <repository>/<name>/<version>/model.onnx} is named after its directories.
 */
public final class ModelSource {
    /** The bundled all-MiniLM-L6-v2 (int8) model, carried by a jar from Maven Central. */
    public static final String BUNDLED_URI = "classpath:all-minilm-l6-v2-q.onnx";
    static final String BUNDLED_NAME = "all-minilm-l6-v2";
    /** The bundled model's HuggingFace tokenizer, in the same jar. */
    static final String BUNDLED_TOKENIZER_URI = "classpath:all-minilm-l6-v2-q-tokenizer.json";
    private static final String TOKENIZER_FILE = "tokenizer.json";
    private static final String WARMUP_FILE = "warmup.json";

    private static final Pattern NUMERIC_VERSION = Pattern.compile("[1-9][0-9]*");

    private final String uri;
    private final Path file;
    private final String resource;

    private ModelSource(String uri, Path file, String resource) {
        this.uri = uri;
        this.file = file;
        this.resource = resource;
    }

    /**
     * @throws IllegalArgumentException naming {@code zeroserve.model.uri} if the URI has no known scheme or does not exist
     */
    public static ModelSource parse(String uri) {
        String resource = ConfiguredUri.resource(uri);
        if (resource != null) {
            if (Thread.currentThread().getContextClassLoader().getResource(resource) == null) {
                throw new IllegalArgumentException("zeroserve.model.uri=" + uri + ": no such resource on the classpath");
            }
            return new ModelSource(uri, null, resource);
        }
        if (uri.startsWith(ConfiguredUri.FILE)) {
            Path file = ConfiguredUri.path(uri).toAbsolutePath().normalize();
            if (Files.isDirectory(file)) {
                file = file.resolve("model.onnx");
            }
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("zeroserve.model.uri=" + uri + ": " + file + " is not a readable file");
            }
            return new ModelSource(uri, file, null);
        }
        throw new IllegalArgumentException("zeroserve.model.uri=" + uri + ": must start with classpath: or file:");
    }

    public String uri() {
        return uri;
    }

    /** The model file, if the model is a file that ONNX Runtime can open itself. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** The model's bytes, for a classpath resource (which may sit inside a jar). */
    public byte[] readResource() throws IOException {
        byte[] bytes = ConfiguredUri.readResource(resource);
        if (bytes == null) {
            throw new IOException("classpath resource " + resource + " disappeared");
        }
        return bytes;
    }

    /** The name implied by the source: the bundled model's name, the repository directory, or the file name. */
    public String defaultName() {
        if (BUNDLED_URI.equals(uri)) {
            return BUNDLED_NAME;
        }
        Optional<Path> versionDir = repositoryVersionDir();
        if (versionDir.isPresent()) {
            return versionDir.get().getParent().getFileName().toString();
        }
        String fileName = file != null ? file.getFileName().toString() : Path.of(resource).getFileName().toString();
        return fileName.endsWith(".onnx") ? fileName.substring(0, fileName.length() - ".onnx".length()) : fileName;
    }

    /** The model's own tokenizer: the bundled model's, or a {@code tokenizer.json} beside the model file. */
    public Optional<String> defaultTokenizerUri() {
        if (BUNDLED_URI.equals(uri)) {
            return Optional.of(BUNDLED_TOKENIZER_URI);
        }
        return besideModel(TOKENIZER_FILE);
    }

    /** Sample inputs to warm the model up on: a {@code warmup.json} beside the model file (Triton's model_warmup). */
    public Optional<String> defaultWarmupUri() {
        return besideModel(WARMUP_FILE);
    }

    private Optional<String> besideModel(String fileName) {
        if (file == null || file.getParent() == null) {
            return Optional.empty();
        }
        Path sibling = file.resolveSibling(fileName);
        return Files.isReadable(sibling) ? Optional.of(ConfiguredUri.FILE + sibling) : Optional.empty();
    }

    /** The version directory of the repository layout, if the file sits in one. */
    public Optional<String> layoutVersion() {
        return repositoryVersionDir().map(dir -> dir.getFileName().toString());
    }

    private Optional<Path> repositoryVersionDir() {
        if (file == null) {
            return Optional.empty();
        }
        Path versionDir = file.getParent();
        if (versionDir == null || versionDir.getParent() == null || versionDir.getParent().getFileName() == null
                || !NUMERIC_VERSION.matcher(versionDir.getFileName().toString()).matches()) {
            return Optional.empty();
        }
        return Optional.of(versionDir);
    }

    @Override
    public String toString() {
        return uri;
    }
}
