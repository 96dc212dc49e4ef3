package dev.zeroserve.testing;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Serves {@link TestModels#allTypes()} from a repository layout, models/all-types/3/model.onnx. */
public class AllTypesModelProfile implements QuarkusTestProfile {
    public static final String NAME = "all-types";
    public static final String VERSION = "3";

    @Override
    public Map<String, String> getConfigOverrides() {
        Path file = TestModels.allTypes().writeTo(TestModels.tempRepository().resolve(NAME).resolve(VERSION)
                .resolve("model.onnx"));
        return Map.of("zeroserve.model.uri", "file:" + file, "zeroserve.limits.max-elements", "1000000");
    }
}
