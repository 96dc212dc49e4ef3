package dev.zeroserve.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * API keys on: one configured inference key, one management key, and a key file (re-read every 100 ms) that a test
 * may rewrite, as Kubernetes rewrites a mounted Secret.
 */
public class ApiKeysProfile implements QuarkusTestProfile {
    public static final String API_KEY = "infer-key-1";
    public static final String MANAGEMENT_KEY = "admin-key-1";
    public static final String FILE_KEY = "file-key-1";
    public static final Path KEYS_FILE = keysFile();

    private static Path keysFile() {
        try {
            Path file = Files.createTempFile("zeroserve-api-keys", ".txt");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the key file's keys, as a Secret's update does. */
    public static void writeKeys(String text) {
        try {
            Path next = KEYS_FILE.resolveSibling(KEYS_FILE.getFileName() + ".next");
            Files.writeString(next, text);
            Files.move(next, KEYS_FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        writeKeys("# rotated by the tests\n" + FILE_KEY + "\n");
        return Map.of("zeroserve.auth.api-keys", API_KEY,
                "zeroserve.auth.management-api-keys", MANAGEMENT_KEY,
                "zeroserve.auth.api-keys-file", KEYS_FILE.toString(),
                "zeroserve.auth.keys-file-check-interval", "0.1S");
    }
}
