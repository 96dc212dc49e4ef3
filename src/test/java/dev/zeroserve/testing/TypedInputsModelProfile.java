package dev.zeroserve.testing;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Serves {@link TestModels#typedInputs()}, with small message limits so that oversized requests are cheap to send. */
public class TypedInputsModelProfile implements QuarkusTestProfile {
    public static final String NAME = "typed-inputs";
    public static final int MAX_GRPC_MESSAGE = 1 << 20;
    /** Above the gRPC message limit, so that the gRPC layer, not the HTTP body limit, refuses large messages. */
    public static final int MAX_BODY_BYTES = 4 << 20;

    @Override
    public Map<String, String> getConfigOverrides() {
        Path file = TestModels.typedInputs().writeTo(TestModels.tempRepository().resolve(NAME).resolve("1")
                .resolve("model.onnx"));
        return Map.of("zeroserve.model.uri", "file:" + file,
                "quarkus.grpc.server.max-inbound-message-size", Integer.toString(MAX_GRPC_MESSAGE),
                "quarkus.http.limits.max-body-size", Integer.toString(MAX_BODY_BYTES));
    }
}
