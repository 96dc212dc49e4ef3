package dev.zeroserve.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What TensorRT's cache directory holds after a load: the files this process wrote (engines built now) and the ones
 * it found (engines a load read back), so that a run preparing the cache can say whether it built anything.
 */
public final class TensorRtCacheFiles {
    private TensorRtCacheFiles() {
    }

    /**
     * @param since when the process started: a file modified after it was written by this load
     * @return one line, for example {@code /cache: 2 files, 44.1 MiB; written now: m_sm89.engine 44.0 MiB; found:
     *         m_sm89.timing 0.1 MiB}
     */
    public static String describe(Path directory, Instant since) {
        if (!Files.isDirectory(directory)) {
            return directory + ": no such directory, so nothing was written (ONNX Runtime creates it only where it can)";
        }
        List<String> written = new ArrayList<>();
        List<String> found = new ArrayList<>();
        long bytes = 0;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                if (!attributes.isRegularFile()) {
                    continue;
                }
                bytes += attributes.size();
                String entry = file.getFileName() + " " + mebibytes(attributes.size());
                (attributes.lastModifiedTime().toInstant().isBefore(since) ? found : written).add(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing TensorRT's cache directory " + directory, e);
        }
        int count = written.size() + found.size();
        if (count == 0) {
            return directory + ": empty, so no engine was written (is the directory writable?)";
        }
        return directory + ": " + count + (count == 1 ? " file, " : " files, ") + mebibytes(bytes) + "; written now: "
                + (written.isEmpty() ? "none" : String.join(", ", written)) + "; found: "
                + (found.isEmpty() ? "none" : String.join(", ", found));
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
