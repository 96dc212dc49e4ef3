package dev.zeroserve.testing;

import static io.restassured.RestAssured.given;

/** Waits for the model, which loads in the background after the application starts. */
public final class Await {
    private Await() {
    }

    public static void modelReady() {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (given().get("/v2/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the model did not become ready within 120 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
