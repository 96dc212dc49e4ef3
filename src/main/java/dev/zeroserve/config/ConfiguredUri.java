package dev.zeroserve.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code classpath:<resource>} and {@code file:<path>} URIs by which configuration names files (model, tokenizer,
 * warm-up inputs), parsed and read in one way. Failures name the key and stop start-up.
 */
public final class ConfiguredUri {
    static final String CLASSPATH = "classpath:";
    static final String FILE = "file:";

    private ConfiguredUri() {
    }

    /**
     * The bytes of a {@code classpath:} or {@code file:} URI.
     *
     * @throws IllegalArgumentException naming the key when the URI has another scheme or cannot be read
     */
    public static byte[] read(String key, String uri) {
        String resource = resource(uri);
        if (resource != null) {
            try {
                byte[] bytes = readResource(resource);
                if (bytes == null) {
                    throw new IllegalArgumentException(key + "=" + uri + ": no such resource on the classpath");
                }
                return bytes;
            } catch (IOException e) {
                throw new IllegalArgumentException(key + "=" + uri + ": cannot be read: " + e, e);
            }
        }
        if (uri.startsWith(FILE)) {
            return readFile(key, uri);
        }
        throw new IllegalArgumentException(key + "=" + uri + ": must start with classpath: or file:");
    }

    /**
     * The bytes of a {@code file:} URI.
     *
     * @throws IllegalArgumentException naming the key when the URI has another scheme or cannot be read
     */
    public static byte[] readFile(String key, String uri) {
        if (!uri.startsWith(FILE)) {
            throw new IllegalArgumentException(key + "=" + uri + ": must start with file:");
        }
        try {
            return Files.readAllBytes(path(uri));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(key + "=" + uri + ": cannot be read: " + e, e);
        }
    }

    /** The resource name of a {@code classpath:} URI, or null for another scheme. */
    static String resource(String uri) {
        return uri.startsWith(CLASSPATH) ? uri.substring(CLASSPATH.length()).replaceFirst("^/+", "") : null;
    }

    /** The path of a {@code file:} URI ({@code file:/x} and {@code file:///x} alike). */
    static Path path(String fileUri) {
        return Path.of(fileUri.substring(FILE.length()).replaceFirst("^//", ""));
    }

    /** A classpath resource's bytes (it may sit inside a jar), or null if there is none. */
    static byte[] readResource(String resource) throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
