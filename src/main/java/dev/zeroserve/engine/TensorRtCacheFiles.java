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
 * it found (engines a load read back), so that a run preparing the cache can say whether it built anything and
 * whether an engine is there for the next load.
 *
 * @param directory the cache directory
 * @param exists whether it exists
 * @param written the files modified since the process started, each with its size
 * @param found the files that were there before
 * @param bytes the size of all of them
 * @param holdsEngine whether a non-empty engine file is there, written now or found
 * @param wroteEngine whether this process wrote one
 */
public record TensorRtCacheFiles(Path directory, boolean exists, List<String> written, List<String> found,
        long bytes, boolean holdsEngine, boolean wroteEngine) {
    /** ONNX Runtime's TensorRT provider names each serialized engine {@code <model hash>_sm<capability>.engine}. */
    private static final String ENGINE_SUFFIX = ".engine";

    /**
     * @param since when the process started: a file modified after it was written by this load
     */
    public static TensorRtCacheFiles list(Path directory, Instant since) {
        if (!Files.isDirectory(directory)) {
            return new TensorRtCacheFiles(directory, false, List.of(), List.of(), 0, false, false);
        }
        List<String> written = new ArrayList<>();
        List<String> found = new ArrayList<>();
        long bytes = 0;
        boolean engine = false;
        boolean wroteEngine = false;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                if (!attributes.isRegularFile()) {
                    continue;
                }
                bytes += attributes.size();
                boolean isEngine = file.getFileName().toString().endsWith(ENGINE_SUFFIX) && attributes.size() > 0;
                boolean before = attributes.lastModifiedTime().toInstant().isBefore(since);
                engine |= isEngine;
                wroteEngine |= isEngine && !before;
                (before ? found : written).add(file.getFileName() + " " + mebibytes(attributes.size()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing TensorRT's cache directory " + directory, e);
        }
        return new TensorRtCacheFiles(directory, true, List.copyOf(written), List.copyOf(found), bytes, engine,
                wroteEngine);
    }

    /**
     * @return one line, for example {@code /cache: 2 files, 44.1 MiB; written now: m_sm89.engine 44.0 MiB; found:
     *         m_sm89.timing 0.1 MiB}
     */
    public String describe() {
        if (!exists) {
            return directory + ": no such directory, so nothing was written (ONNX Runtime creates it only where it can)";
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
