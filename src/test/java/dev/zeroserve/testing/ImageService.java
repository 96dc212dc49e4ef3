package dev.zeroserve.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    /** The machine's end of the veth pair to the image's network namespace (image-ci.sh). */
    private static final String HOST_LINK = "zsimg0";

    private final Process process;
    private final Path log;
    private final long startedNanos;
    private final Instant startedAt;

    private ImageService(Process process, Path log, long startedNanos, Instant startedAt) {
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
        this.startedAt = startedAt;
    }

    /** Starts it (without waiting for it): the image's environment, plus these NAME=value pairs. */
    public static ImageService start(Path log, List<String> extraEnvironment) throws IOException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString(), "start"));
        command.addAll(extraEnvironment);
        Instant startedAt = Instant.now();
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitNetwork(process);
        return new ImageService(process, log, started, startedAt);
    }

    /**
     * Waits (10 s at most) until the veth pair to the image's namespace is up: a connection tried before the route
     * exists leaves by the default route, and the JDK 17 HttpClient then waited for its request timeout (10 s), not
     * for its connect timeout, in ImageIT's runs.
     */
    private static void awaitNetwork(Process process) throws IOException {
        Path state = Path.of("/sys/class/net", HOST_LINK, "operstate");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.exists(state) && "up".equals(Files.readString(state).strip())) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    public URI base() {
        return URI.create("http://" + ADDRESS + ":8080/");
    }

    /** When {@link #start} started the process, as {@link System#nanoTime()}. */
    public long startedNanos() {
        return startedNanos;
    }

    /**
     * Milliseconds from {@link #start} to the exec of the image's entrypoint (the script logs the time, after it has
     * made the network namespace, the mount and PID namespaces and the mounts): what this way of starting adds before
     * the image's own start, or -1 where the log does not say yet.
     */
    public long millisBeforeEntrypoint() throws IOException {
        Matcher exec = Pattern.compile("entrypoint is exec'd at (\\d+) ms").matcher(log());
        return exec.find() ? Long.parseLong(exec.group(1)) - startedAt.toEpochMilli() : -1;
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
