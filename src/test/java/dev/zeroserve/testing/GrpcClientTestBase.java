package dev.zeroserve.testing;

import java.net.URL;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import io.grpc.ManagedChannel;
import io.quarkus.test.common.http.TestHTTPResource;

/** For tests that call the service over gRPC: waits for the model and opens a channel to the HTTP port. */
public abstract class GrpcClientTestBase {
    @TestHTTPResource("/")
    protected URL base;

    protected ManagedChannel channel;

    @BeforeEach
    void connect() {
        Await.modelReady();
        channel = GrpcChannels.open(base);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcChannels.close(channel);
    }
}
