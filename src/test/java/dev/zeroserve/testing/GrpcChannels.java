package dev.zeroserve.testing;

import java.net.URL;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** A plaintext (h2c) gRPC channel to the test server's HTTP port, where gRPC is served beside REST. */
public final class GrpcChannels {
    private GrpcChannels() {
    }

    public static ManagedChannel open(URL base) {
        return ManagedChannelBuilder.forAddress(base.getHost(), base.getPort())
                .usePlaintext()
                .maxInboundMessageSize(64 << 20)
                .build();
    }

    public static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
