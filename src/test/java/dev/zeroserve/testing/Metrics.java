package dev.zeroserve.testing;

import static io.restassured.RestAssured.given;

/** Reads a sum of samples from the Prometheus text at /q/metrics. */
public final class Metrics {
    private Metrics() {
    }

    /** The sum of every sample of {@code name} whose labels include {@code labelFragment}. */
    public static double sum(String name, String labelFragment) {
        return sum(given().get("/q/metrics").then().statusCode(200).extract().asString(), name, labelFragment);
    }

    /** The same, in the Prometheus text of another server (a packaged service's /q/metrics). */
    public static double sum(String prometheusText, String name, String labelFragment) {
        double total = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(labelFragment)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
