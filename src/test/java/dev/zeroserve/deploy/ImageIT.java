package dev.zeroserve.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.ExternalTools;
import dev.zeroserve.testing.FreePort;
import dev.zeroserve.testing.ImageService;
import dev.zeroserve.testing.PackagedService;

/**
 * The CPU image (src/main/docker/Dockerfile.jvm-cpu) built with podman on stand-in bases made from Debian's packages,
 * and started as a container runtime starts it (src/main/docker/image-ci.sh: uid 185, PID 1, read-only root, /tmp
 * writable, its entrypoint and environment): it must become ready, answer a v2 inference and an embeddings request as
 * the packaged service on this machine does, refuse work past its queue with 503 and Retry-After, and exit cleanly on
 * SIGTERM. Its first answer after start is measured beside the host emulation of the same start (the machine's
 * Temurin 25, the image's flags, environment, native libraries, model file and tcmalloc, an AOT cache trained on the
 * host): printed, never asserted. Needs root, podman, debootstrap and iproute2: skipped without them, except in CI
 * (.ci/run installs them and sets ZEROSERVE_TEST_TOOLS=required; where its probe finds that namespaces or root are
 * refused, it sets ZEROSERVE_IMAGE_IT=skip:&lt;why&gt; and this is skipped with that message).
 */
class ImageIT {
    private static final Path LOGS = ImageService.WORK.resolve("logs");
    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final String INFER = "v2/models/" + BundledModelRequests.MODEL + "/infer";
    private static final String SENTENCES = "{\"model\":\"all-minilm-l6-v2\",\"input\":"
            + "[\"A platform engineer deploys the image.\",\"The cold start is measured.\"]}";
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Replaced at every start ({@link #freshClient}): every image answers at the same address, and no connection kept
     * alive to the one before should be tried on the next (the 10 s first answers seen once came from requests sent
     * before the image's network existed: {@link ImageService} waits for it).
     */
    private static HttpClient http = freshClient();

    private static long buildSeconds;

    @BeforeAll
    static void buildTheImage() throws Exception {
        String skip = System.getenv().getOrDefault("ZEROSERVE_IMAGE_IT", "");
        Assumptions.assumeFalse(skip.startsWith("skip:"), "ImageIT skipped by .ci/run: " + skip);
        ExternalTools.require("podman", "podman");
        ExternalTools.require("debootstrap", "debootstrap");
        ExternalTools.require("ip", "iproute2");
        ExternalTools.require("unshare", "util-linux");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "required".equals(System.getenv("ZEROSERVE_TEST_TOOLS"))) {
            throw new IllegalStateException("ImageIT builds and enters the image as root: run CI as root");
        }
        Assumptions.assumeTrue(root, "ImageIT builds and enters the image as root");
        Assumptions.assumeTrue(Files.isExecutable(JDK25.resolve("bin/java")), "no Temurin 25 at " + JDK25);
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve("build.log");
        long started = System.nanoTime();
        Process build = new ProcessBuilder(ImageService.SCRIPT.toString(), "build").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean done = build.waitFor(40, TimeUnit.MINUTES);
        buildSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        String output = Files.readString(log);
        assertThat(done && build.exitValue() == 0).as("image-ci.sh build (log %s):\n%s", log,
                output.substring(Math.max(0, output.length() - 6000))).isTrue();
        System.out.printf("image: stand-in bases + podman build + export in %d s; %s%n", buildSeconds,
                output.lines().filter(line -> line.startsWith("image ") || line.startsWith("stand-in bases"))
                        .collect(Collectors.joining("; ")));
    }

    @Test
    void startsAsTheImageDoesAndAnswersAsTheHostDoes() throws Exception {
        String v2 = BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(16)));
        JsonNode hostInference;
        JsonNode hostEmbeddings;
        try (PackagedService host = PackagedService.startAsImage(LOGS.resolve("host-reference.log"), List.of())) {
            hostInference = post(host.base(), INFER, v2, 200);
            hostEmbeddings = post(host.base(), "v1/embeddings", SENTENCES, 200);
            host.terminate();
            host.awaitExit(Duration.ofSeconds(40));
        }

        try (ImageService image = ImageService.start(LOGS.resolve("image.log"), List.of())) {
            long firstAnswerMillis = awaitFirstAnswer(image.base(), image.startedNanos(), image::alive, image::log);
            long rssKib = image.residentKib();
            JsonNode imageInference = post(image.base(), INFER, v2, 200);
            JsonNode imageEmbeddings = post(image.base(), "v1/embeddings", SENTENCES, 200);
            String uid = image.status("Uid");
            String nsPid = image.status("NSpid");
            List<String> mounts = image.mounts();
            System.out.printf("image: first v2 answer %d ms after start, RSS %d MiB; Uid %s, NSpid %s; mounts %s%n",
                    firstAnswerMillis, rssKib / 1024, uid, nsPid, mounts);

            assertThat(image.maps("libtcmalloc_minimal")).as("tcmalloc preloaded (LD_PRELOAD)").isTrue();
            assertThat(uid.split("\\s+")).as("real, effective, saved, fs uid").containsOnly("185");
            assertThat(image.status("Gid").split("\\s+")).as("gids").containsOnly("0");
            assertThat(nsPid.split("\\s+")).as("NSpid: the JVM is PID 1 of its own PID namespace").hasSize(2)
                    .endsWith("1");
            assertThat(mounts).as("root read-only, /tmp writable")
                    .anyMatch(mount -> mount.matches("/ ro,.*|/ ro")).anyMatch(mount -> mount.matches("/tmp rw.*"))
                    .allMatch(mount -> !mount.contains(" rw") || mount.startsWith("/tmp ")
                            || mount.startsWith("/dev/shm ") || mount.startsWith("/proc ")
                            || mount.startsWith("/dev/") && !mount.startsWith("/dev "));

            assertSameOutputs(imageInference, hostInference);
            JsonNode imageData = imageEmbeddings.path("data");
            assertThat(imageData).hasSize(2);
            for (int i = 0; i < 2; i++) {
                JsonNode got = imageData.get(i).path("embedding");
                JsonNode expected = hostEmbeddings.path("data").get(i).path("embedding");
                assertThat(got).hasSize(384).hasSameSizeAs(expected);
                for (int d = 0; d < got.size(); d++) {
                    assertThat(got.get(d).asDouble()).as("embedding %d, dimension %d", i, d)
                            .isCloseTo(expected.get(d).asDouble(), within(1e-5));
                }
            }

            long signalled = System.nanoTime();
            image.terminate();
            assertThat(image.awaitExit(Duration.ofSeconds(45))).as("exited after SIGTERM; log:\n%s", image.log())
                    .isTrue();
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            String log = image.log();
            System.out.printf("image: exit status %d, %d ms after SIGTERM%n", image.exitValue(), exitMillis);
            assertThat(image.exitValue()).as("exit status after SIGTERM (0, or 143 for the signal); log:\n%s", log)
                    .isIn(0, 143);
            assertThat(log).as("the drain ran").contains("Drained:").doesNotContain("Exception in thread")
                    .doesNotContain("Read-only file system");
        }
    }

    @Test
    void refusesWorkPastItsQueueWithRetryAfter() throws Exception {
        // One worker, one row per batch, four rows of queue: of 48 requests sent at once, most must wait or be refused.
        try (ImageService image = ImageService.start(LOGS.resolve("image-queue.log"), List.of(
                "ZEROSERVE_BATCHING_QUEUE_CAPACITY=4", "ZEROSERVE_BATCHING_PARALLEL_BATCHES=1",
                "ZEROSERVE_BATCHING_MAX_BATCH_SIZE=1"))) {
            awaitFirstAnswer(image.base(), image.startedNanos(), image::alive, image::log);
            String body = BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(256)));
            HttpRequest request = HttpRequest.newBuilder(image.base().resolve(INFER))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                sent.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            Map<Integer, Integer> byStatus = new HashMap<>();
            List<HttpResponse<String>> refused = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> future : sent) {
                HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
                byStatus.merge(response.statusCode(), 1, Integer::sum);
                if (response.statusCode() == 503) {
                    refused.add(response);
                }
            }
            System.out.printf("image, queue of 4 rows, 48 requests at once: %s%n", byStatus);
            assertThat(byStatus.keySet()).as("statuses").containsOnly(200, 503);
            assertThat(refused).as("refused past the queue").isNotEmpty().allSatisfy(response -> {
                assertThat(response.headers().firstValue("Retry-After")).contains("1");
                assertThat(response.body()).contains("queue is full");
            });
            assertThat(byStatus.get(200)).as("answered").isGreaterThanOrEqualTo(5);
            image.terminate();
            assertThat(image.awaitExit(Duration.ofSeconds(45))).isTrue();
        }
    }

    @Test
    void coldStartBesideTheHostEmulation() throws Exception {
        HostEmulation host = new HostEmulation();
        host.train();
        List<long[]> imageRuns = new ArrayList<>();
        List<long[]> hostRuns = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            try (ImageService image = ImageService.start(LOGS.resolve("image-cold-" + round + ".log"), List.of())) {
                long first = awaitFirstAnswer(image.base(), image.startedNanos(), image::alive, image::log);
                long embeddings = awaitEmbeddings(image.base(), image.startedNanos());
                imageRuns.add(new long[] { first, embeddings, image.residentKib() / 1024,
                        image.millisBeforeEntrypoint() });
                image.terminate();
                image.awaitExit(Duration.ofSeconds(45));
            }
            hostRuns.add(host.coldStart(round));
            System.out.printf("round %d: image %s, host %s (first v2 ms, first embeddings ms, RSS MiB[, ms before "
                    + "the entrypoint's exec])%n", round,
                    Arrays.toString(imageRuns.get(round - 1)),
                    Arrays.toString(hostRuns.get(round - 1)));
        }
        System.out.printf("cold start, median of 3 (interleaved): image first v2 %d ms, first embeddings %d ms, "
                + "RSS %d MiB, %d ms of it before the entrypoint's exec; host emulation first v2 %d ms, "
                + "first embeddings %d ms, RSS %d MiB%n", median(imageRuns, 0), median(imageRuns, 1),
                median(imageRuns, 2), median(imageRuns, 3), median(hostRuns, 0), median(hostRuns, 1),
                median(hostRuns, 2));
    }

    /**
     * The image's start on this machine's own file system: Temurin 25 from /usr/lib/jvm, the image's JVM options
     * (/deployments/jvm.options) and environment (JDK_JAVA_OPTIONS, LD_PRELOAD, RUST_LIBRARY_PATH,
     * ZEROSERVE_MODEL_URI) pointing into the exported image, its /deployments as the application, and an AOT cache
     * trained by the same start on the host (the image's one only loads in the image's JVM).
     */
    private static final class HostEmulation {
        private final Path rootfs = ImageService.ROOTFS.toAbsolutePath();
        private final Path cache = ImageService.WORK.resolve("host.aot").toAbsolutePath();
        private final Path home = ImageService.WORK.resolve("host-home").toAbsolutePath();

        private ProcessBuilder builder(String cacheFlag, int port, Path log) throws IOException {
            List<String> command = new ArrayList<>(List.of(JDK25.resolve("bin/java").toString()));
            for (String option : Files.readAllLines(rootfs.resolve("deployments/jvm.options"))) {
                if (!option.startsWith("-XX:AOTCache") && !option.startsWith("-XX:SharedArchiveFile")
                        && !option.isBlank()) {
                    command.add(option.replace("=/opt/", "=" + rootfs + "/opt/"));
                }
            }
            command.addAll(List.of(cacheFlag, "-jar", rootfs.resolve("deployments/quarkus-run.jar").toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            for (String line : Files.readAllLines(ImageService.WORK.resolve("config/env"))) {
                String name = line.substring(0, line.indexOf('='));
                String value = line.substring(line.indexOf('=') + 1);
                switch (name) {
                    case "PATH", "HOME", "JAVA_HOME" -> {
                    }
                    case "LD_PRELOAD" -> environment.put(name, rootfs + resolveInImage(value));
                    default -> environment.put(name, value.replace("/opt/", rootfs + "/opt/"));
                }
            }
            Files.createDirectories(home);
            environment.put("HOME", home.toString());
            environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            return builder;
        }

        /** A path of the image with its symbolic links followed inside the image. */
        private String resolveInImage(String path) throws IOException {
            Path inImage = rootfs.resolve(path.substring(1));
            while (Files.isSymbolicLink(inImage)) {
                Path target = Files.readSymbolicLink(inImage);
                inImage = target.isAbsolute() ? rootfs.resolve(target.toString().substring(1))
                        : inImage.resolveSibling(target);
            }
            return "/" + rootfs.relativize(inImage);
        }

        void train() throws Exception {
            Files.deleteIfExists(cache);
            int port = FreePort.find();
            Process training = builder("-XX:AOTCacheOutput=" + cache, port, LOGS.resolve("host-training.log"))
                    .start();
            URI base = URI.create("http://localhost:" + port + "/");
            awaitFirstAnswer(base, System.nanoTime(), training::isAlive,
                    () -> Files.readString(LOGS.resolve("host-training.log")));
            post(base, "v1/embeddings", SENTENCES, 200);
            training.destroy();
            assertThat(training.waitFor(3, TimeUnit.MINUTES)).as("host training run exited").isTrue();
            assertThat(cache).as("host AOT cache").isNotEmptyFile();
        }

        long[] coldStart(int round) throws Exception {
            int port = FreePort.find();
            Path log = LOGS.resolve("host-cold-" + round + ".log");
            long started = System.nanoTime();
            Process process = builder("-XX:AOTCache=" + cache, port, log).start();
            try {
                URI base = URI.create("http://localhost:" + port + "/");
                long first = awaitFirstAnswer(base, started, process::isAlive, () -> Files.readString(log));
                long embeddings = awaitEmbeddings(base, started);
                long rss = 0;
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                    }
                }
                return new long[] { first, embeddings, rss };
            } finally {
                process.destroy();
                process.waitFor(45, TimeUnit.SECONDS);
                process.destroyForcibly();
            }
        }
    }

    private static HttpClient freshClient() {
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .build();
        return http;
    }

    interface Check {
        boolean get() throws IOException;
    }

    interface Log {
        String get() throws IOException;
    }

    /** Polls the v2 inference every 10 ms until it answers 200: milliseconds since {@code startedNanos}. */
    private static long awaitFirstAnswer(URI base, long startedNanos, Check alive, Log log) throws Exception {
        freshClient();
        String body = BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(4)));
        HttpRequest request = HttpRequest.newBuilder(base.resolve(INFER)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long deadline = startedNanos + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(alive.get()).as("running; log:\n%s", log.get()).isTrue();
            long sent = System.nanoTime();
            String outcome;
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                }
                outcome = Integer.toString(status);
            } catch (IOException e) {
                outcome = e.toString(); // not listening yet
            }
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            if (tookMillis > 1000) {
                System.out.printf("%s: a request sent %d ms after start took %d ms: %s%n", base,
                        TimeUnit.NANOSECONDS.toMillis(sent - startedNanos), tookMillis, outcome);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no v2 answer within 120 s; log:\n" + log.get());
    }

    private static long awaitEmbeddings(URI base, long startedNanos) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("v1/embeddings"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(SENTENCES))
                .build();
        for (int i = 0; i < 6000; i++) {
            if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no embeddings answer");
    }

    private static JsonNode post(URI base, String path, String body, int status) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", base, path, response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    /** The same outputs, by name: shape, datatype and every value within 1e-5. */
    private static void assertSameOutputs(JsonNode got, JsonNode expected) {
        Map<String, JsonNode> expectedByName = new HashMap<>();
        expected.path("outputs").forEach(output -> expectedByName.put(output.path("name").asText(), output));
        assertThat(got.path("outputs")).hasSize(expectedByName.size()).isNotEmpty();
        for (JsonNode output : got.path("outputs")) {
            JsonNode reference = expectedByName.get(output.path("name").asText());
            assertThat(reference).as("output %s", output.path("name")).isNotNull();
            assertThat(output.path("shape")).isEqualTo(reference.path("shape"));
            assertThat(output.path("datatype")).isEqualTo(reference.path("datatype"));
            assertThat(output.path("data")).hasSameSizeAs(reference.path("data")).isNotEmpty();
            for (int i = 0; i < output.path("data").size(); i++) {
                assertThat(output.path("data").get(i).asDouble()).as("%s[%d]", output.path("name"), i)
                        .isCloseTo(reference.path("data").get(i).asDouble(), within(1e-5));
            }
        }
    }

    private static long median(List<long[]> runs, int column) {
        return runs.stream().mapToLong(run -> run[column]).sorted().toArray()[runs.size() / 2];
    }
}
