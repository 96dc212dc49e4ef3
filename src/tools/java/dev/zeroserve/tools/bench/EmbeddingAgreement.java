package dev.zeroserve.tools.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How close the embeddings of running services are to a reference service's, on real sentences: the one-line
 * sayings of Debian's {@code fortunes} packages, each embedded by every service, compared by cosine similarity. Used
 * to compare quantization schemes of one model against its float original.
 *
 * <p>Options: {@code --reference http://localhost:8081 --candidates int8=http://localhost:8082,perrow=http://...
 * --sentences 1000 --fortunes /usr/share/games/fortunes --model all-minilm-l6-v2}. Prints per candidate the mean,
 * median, 1st percentile and lowest cosine, and the mean of the largest per-dimension difference.
 */
public final class EmbeddingAgreement {
    private static final int INPUTS_PER_REQUEST = 32;
    /** A control character (the files' overstriking backspaces) or a byte that was not UTF-8. */
    private static final Pattern NOT_PROSE = Pattern.compile("[\\p{Cntrl}&&[^\\s]]|\uFFFD");

    private EmbeddingAgreement() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ProtocolBench.options(args);
        URI reference = URI.create(options.getOrDefault("reference", "http://localhost:8081"));
        Map<String, URI> candidates = new LinkedHashMap<>();
        for (String candidate : options.getOrDefault("candidates", "candidate=http://localhost:8082").split(",")) {
            String[] nameAndUrl = candidate.split("=", 2);
            candidates.put(nameAndUrl[0], URI.create(nameAndUrl[1]));
        }
        List<String> sentences = sentences(Path.of(options.getOrDefault("fortunes", "/usr/share/games/fortunes")),
                Integer.parseInt(options.getOrDefault("sentences", "1000")));
        String model = options.getOrDefault("model", "all-minilm-l6-v2");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        List<float[]> expected = embed(http, reference, model, sentences);
        System.out.printf(Locale.ROOT, "%d sentences (%s), reference %s%n", sentences.size(),
                options.getOrDefault("fortunes", "/usr/share/games/fortunes"), reference);
        System.out.printf(Locale.ROOT, "%-16s %12s %12s %12s %12s %16s%n", "candidate", "mean cosine", "median",
                "1st pct", "lowest", "mean max |diff|");
        for (Map.Entry<String, URI> candidate : candidates.entrySet()) {
            List<float[]> actual = embed(http, candidate.getValue(), model, sentences);
            double[] cosines = new double[sentences.size()];
            double maxDiffs = 0;
            for (int i = 0; i < cosines.length; i++) {
                cosines[i] = cosine(expected.get(i), actual.get(i));
                maxDiffs += maxDifference(expected.get(i), actual.get(i));
            }
            System.out.printf(Locale.ROOT, "%-16s %12.5f %12.5f %12.5f %12.5f %16.5f%n", candidate.getKey(),
                    Arrays.stream(cosines).average().orElseThrow(),
                    Percentiles.of(cosines, 50), Percentiles.of(cosines, 1),
                    Arrays.stream(cosines).min().orElseThrow(),
                    maxDiffs / cosines.length);
        }
    }

    /**
     * The first {@code count} distinct one-line sayings (3 to 40 words, prose only) of the fortune files (UTF-8; the
     * {@code .u8} links and {@code .dat} indexes skipped), in file name order: the same sentences on every machine
     * with the same packages.
     */
    static List<String> sentences(Path fortunes, int count) throws IOException {
        Set<String> sentences = new LinkedHashSet<>();
        List<Path> files;
        try (Stream<Path> listed = Files.list(fortunes)) {
            files = listed.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .filter(file -> !file.getFileName().toString().contains(".")).sorted().toList();
        }
        for (Path file : files) {
            // Decoded leniently: a stray byte becomes U+FFFD and its saying is skipped, not the whole file.
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            for (String saying : text.split("(?m)^%$")) {
                String line = saying.strip();
                int words = line.split("\\s+").length;
                if (!line.contains("\n") && !NOT_PROSE.matcher(line).find() && words >= 3 && words <= 40) {
                    sentences.add(line);
                    if (sentences.size() == count) {
                        return List.copyOf(sentences);
                    }
                }
            }
        }
        throw new IllegalArgumentException(fortunes + " holds " + sentences.size() + " one-line sayings, fewer than "
                + count + " (Debian: apt-get install fortunes fortunes-min)");
    }

    private static List<float[]> embed(HttpClient http, URI service, String model, List<String> sentences)
            throws IOException, InterruptedException {
        ObjectMapper json = new ObjectMapper();
        List<float[]> embeddings = new ArrayList<>();
        for (int from = 0; from < sentences.size(); from += INPUTS_PER_REQUEST) {
            ObjectNode body = json.createObjectNode().put("model", model);
            List<String> inputs = sentences.subList(from, Math.min(from + INPUTS_PER_REQUEST, sentences.size()));
            inputs.forEach(body.putArray("input")::add);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.resolve("/v1/embeddings"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(service + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            JsonNode data = json.readTree(response.body()).path("data");
            if (data.size() != inputs.size()) {
                throw new IllegalStateException(service + " answered " + data.size() + " embeddings for "
                        + inputs.size() + " inputs");
            }
            for (JsonNode item : data) {
                JsonNode values = item.path("embedding");
                float[] embedding = new float[values.size()];
                for (int i = 0; i < embedding.length; i++) {
                    embedding[i] = values.get(i).floatValue();
                }
                embeddings.add(embedding);
            }
        }
        return embeddings;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }

    private static double maxDifference(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
