package dev.zeroserve.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The CPU image, built and exported by src/main/docker/image-ci.sh, started as a container runtime starts it: its
 * entrypoint and environment, uid 185, PID 1 of new PID and mount namespaces, a read-only root with a tmpfs on /tmp,
 * port 8080 in a network namespace of its own at {@link #ADDRESS}. One at a time (the namespace's name is fixed).
 */
public final class ImageService implements AutoCloseable {
    public static final Path SCRIPT = Path.of("src/main/docker/image-ci.sh");
    public static final Path WORK = Path.of("target/image");
    public static final Path ROOTFS = WORK.resolve("rootfs");
    public static final String ADDRESS = "10.213.0.2";

    private final Process process;
    private final Path log;
    private final long startedNanos;

    private ImageService(Process process, Path log, long startedNanos) {
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /** Starts it (without waiting for it): the image's environment, plus these NAME=value pairs. */
    public static ImageService start(Path log, List<String> extraEnvironment) throws IOException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString(), "start"));
        command.addAll(extraEnvironment);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ImageService(process, log, started);
    }

    public URI base() {
        return URI.create("http://" + ADDRESS + ":8080/");
    }

    /** When {@link #start} started the process, as {@link System#nanoTime()}. */
    public long startedNanos() {
        return startedNanos;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The JVM, PID 1 of the image's PID namespace, as this machine sees it. */
    public Optional<ProcessHandle> jvm() {
        return process.descendants().filter(handle -> "java".equals(comm(handle.pid()))).findFirst();
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** A line of /proc/PID/status of the JVM ("Uid", "NSpid", "VmRSS"...), without its name. */
    public String status(String field) throws IOException {
        long pid = jvm().orElseThrow(() -> new AssertionError("no JVM under the image's process")).pid();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        return "";
    }

    /** The JVM's mounts, from /proc/PID/mountinfo: mount point and options, one per line. */
    public List<String> mounts() throws IOException {
        long pid = jvm().orElseThrow(() -> new AssertionError("no JVM under the image's process")).pid();
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "mountinfo"))) {
            String[] fields = line.split(" ");
            mounts.add(fields[4] + " " + fields[5]);
        }
        return mounts;
    }

    /** Whether a library whose path contains {@code name} is mapped into the JVM (/proc/PID/maps). */
    public boolean maps(String name) throws IOException {
        long pid = jvm().orElseThrow(() -> new AssertionError("no JVM under the image's process")).pid();
        return Files.readString(Path.of("/proc", Long.toString(pid), "maps")).contains(name);
    }

    public long residentKib() throws IOException {
        return Long.parseLong(status("VmRSS").replaceAll("[^0-9]", ""));
    }

    /** SIGTERM to the JVM, PID 1 of its namespace, as a container runtime's stop sends it. */
    public void terminate() {
        jvm().ifPresentOrElse(ProcessHandle::destroy, process::destroy);
    }

    public boolean awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int exitValue() {
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            jvm().ifPresent(ProcessHandle::destroyForcibly);
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
