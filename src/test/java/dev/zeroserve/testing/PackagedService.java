package dev.zeroserve.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged service (target/quarkus-app) started as a process on a free port, its output in a log file. */
public final class PackagedService implements AutoCloseable {
    private static final Path RUNNER = Path.of("target/quarkus-app/quarkus-run.jar");

    private final Process process;
    private final URI base;
    private final Path log;

    private PackagedService(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /**
     * The JVM flags of the container images (src/main/docker/Dockerfile.jvm-cpu), for tests of what the deployed
     * service survives.
     */
    public static final List<String> IMAGE_FLAGS = List.of("-XX:+UseG1GC", "-Xmx160m", "-XX:MaxDirectMemorySize=256m",
            "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1");
    private static final Path IMAGE_JDK = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

    /** Starts it with these -D settings and waits until it reports ready. */
    public static PackagedService start(Path log, List<String> settings) throws IOException, InterruptedException {
        return start(log, currentJava(), List.of(), settings);
    }

    /** Starts it as the images run it: their JDK (25) where this machine has it, and their JVM flags. */
    public static PackagedService startAsImage(Path log, List<String> settings)
            throws IOException, InterruptedException {
        return start(log, Files.isExecutable(IMAGE_JDK) ? IMAGE_JDK.toString() : currentJava(), IMAGE_FLAGS,
                settings);
    }

    private static String currentJava() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static PackagedService start(Path log, String java, List<String> jvmFlags, List<String> settings)
            throws IOException, InterruptedException {
        int port = FreePort.find();
        PackagedService service = new PackagedService(launch(log, java, jvmFlags, port, settings),
                URI.create("http://localhost:" + port + "/"), log);
        service.awaitReady();
        return service;
    }

    /**
     * Runs it with these -D settings until it exits by itself (a run that only prepares).
     *
     * @return its exit status
     */
    public static int runToExit(Path log, List<String> settings, Duration within)
            throws IOException, InterruptedException {
        Process process = launch(log, currentJava(), List.of(), FreePort.find(), settings);
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("still running after " + within + "; log:\n" + Files.readString(log));
        }
        return process.exitValue();
    }

    private static Process launch(Path log, String java, List<String> jvmFlags, int port, List<String> settings)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmFlags);
        command.add("-Dquarkus.http.port=" + port);
        for (String setting : settings) {
            command.add("-D" + setting);
        }
        command.addAll(List.of("-jar", RUNNER.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    public URI base() {
        return base;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest ready = HttpRequest.newBuilder(base.resolve("q/health/ready")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> errors = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive()).as("server running; log:\n%s", log()).isTrue();
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                errors.add(e.toString());
            }
            Thread.sleep(10); // as a starting pod is probed by Knative, so a test begins at readiness
        }
        throw new AssertionError("not ready within 60 s: " + errors + "\n" + log());
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The process's resident set, in KiB, from /proc (0 where there is none). */
    public long residentKib() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        if (!Files.exists(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** Runs jcmd (the one beside this JVM's java) against the service, e.g. {@code Compiler.directives_print}. */
    public String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                .redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).as("jcmd %s: %s", command, output).isZero();
        return output;
    }

    /** SIGTERM. */
    public void terminate() {
        process.destroy();
    }

    public boolean awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
