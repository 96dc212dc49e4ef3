package dev.zeroserve.testing;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for the model and its tokenizer, which load in the background after the application starts. */
public final class Await {
    private Await() {
    }

    public static void modelReady() {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (given().get("/q/health/ready").statusCode() != 200) {
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

    /**
     * Polls every 20 ms until the condition holds or the time is up; the caller then asserts what it waited for.
     *
     * @return whether the condition held at its last reading: for a condition that holds only at moments, the moment
     *         seen
     */
    public static boolean until(Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        boolean held;
        while (!(held = condition.getAsBoolean()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return held;
    }
}
