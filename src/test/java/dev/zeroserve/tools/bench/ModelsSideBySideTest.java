package dev.zeroserve.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.testing.DirectOnnxRuntime;

class ModelsSideBySideTest {
    /** The bundled int8 model quantizes each call with one scale, so its rows move with their batch mates. */
    @Test
    void findsThatTheBundledModelsRowsDependOnTheirBatchMates() throws Exception {
        try (OrtSession session = DirectOnnxRuntime.openBundledModel(1)) {
            float[][] alone = ModelsSideBySide.alone(session, 16);

            assertThat(alone).hasNumberOfRows(8);
            assertThat(alone[0]).hasSize(16 * 384);
            assertThat(ModelsSideBySide.largestBatchedDifference(session, alone, 16)).isGreaterThan(0.01);
        }
    }
}
