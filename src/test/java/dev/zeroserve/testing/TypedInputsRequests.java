package dev.zeroserve.testing;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** v2 JSON requests for {@link TestModels#typedInputs()} as {@link BatchingProfiles} serves it, sent over real HTTP. */
public final class TypedInputsRequests {
    /** The Prometheus label of the model's series. */
    public static final String MODEL_LABEL = "model=\"" + BatchingProfiles.MODEL + "\"";

    private TypedInputsRequests() {
    }

    /** A request for the typed-inputs model with every input's values offset by {@code seed}, two rows. */
    public static String request(int seed, String output, String parameters) {
        StringBuilder inputs = new StringBuilder();
        String[][] types = { { "BOOL", "true" }, { "UINT8", "1" }, { "INT8", "1" }, { "INT16", "1" },
                { "INT32", null }, { "INT64", "1" }, { "FP32", "0.5" }, { "FP64", "0.5" }, { "BYTES", "\"s\"" } };
        for (String[] type : types) {
            String value = type[1] != null ? type[1] : null;
            String data = value != null ? "[" + String.join(",", java.util.Collections.nCopies(6, value)) + "]"
                    : "[" + seed + "," + (seed + 1) + "," + (seed + 2) + "," + (seed + 3) + "," + (seed + 4) + ","
                            + (seed + 5) + "]";
            inputs.append(inputs.length() > 0 ? "," : "").append("{\"name\":\"in_").append(type[0])
                    .append("\",\"datatype\":\"").append(type[0]).append("\",\"shape\":[2,3],\"data\":").append(data)
                    .append('}');
        }
        return "{\"parameters\":{" + parameters + "},\"inputs\":[" + inputs + "],\"outputs\":[{\"name\":\"" + output
                + "\"}]}";
    }

    public static CompletableFuture<HttpResponse<String>> send(HttpClient client, URL base, String body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create(base + "v2/models/" + BatchingProfiles.MODEL
                + "/infer")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
