package dev.zeroserve.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;

/** Without an OTLP endpoint (the default) the OpenTelemetry SDK stays off: a traced request records nothing. */
@QuarkusTest
class TracingSwitchTest {
    @Inject
    InMemorySpanExporter exporter;

    @Test
    void tracingIsOffWithoutAnEndpoint() throws InterruptedException {
        assertThat(ConfigProvider.getConfig().getValue(TracingSwitch.SDK_DISABLED, Boolean.class)).isTrue();
        Await.modelReady();
        given().contentType("application/json").header("traceparent",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .body(BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(4))))
                .post("/v2/models/" + BundledModelRequests.MODEL + "/infer").then().statusCode(200);
        Thread.sleep(200);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }
}
