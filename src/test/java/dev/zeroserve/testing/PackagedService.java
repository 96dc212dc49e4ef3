package dev.zeroserve.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    /** Starts it with these -D settings and waits until it reports ready. */
    public static PackagedService start(Path log, List<String> settings) throws IOException, InterruptedException {
        int port = FreePort.find();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Dquarkus.http.port=" + port);
        for (String setting : settings) {
            command.add("-D" + setting);
        }
        command.addAll(List.of("-jar", RUNNER.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedService service = new PackagedService(process, URI.create("http://localhost:" + port + "/"), log);
        service.awaitReady();
        return service;
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
            Thread.sleep(100);
        }
        throw new AssertionError("not ready within 60 s: " + errors + "\n" + log());
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
