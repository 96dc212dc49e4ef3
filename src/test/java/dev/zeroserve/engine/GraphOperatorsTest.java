package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.TestModels;

class GraphOperatorsTest {
    @Test
    void theBundledInt8ModelQuantizesActivationsPerCall() throws Exception {
        byte[] model;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2-q.onnx")) {
            model = in.readAllBytes();
        }
        Set<String> ops = GraphOperators.read(ByteBuffer.wrap(model));
        assertThat(ops).contains("DynamicQuantizeLinear", "MatMulInteger", "Gather", "Softmax");
        assertThat(GraphOperators.rowCoupling(ops)).contains("DynamicQuantizeLinear");
    }

    @Test
    void aFloatModelsRowsAreIndependent() throws Exception {
        Path file = TestModels.tokenMixer().writeTo(TestModels.tempRepository().resolve("mixer.onnx"));
        Set<String> ops = GraphOperators.read(ByteBuffer.wrap(Files.readAllBytes(file)));
        assertThat(ops).isNotEmpty().doesNotContainAnyElementsOf(GraphOperators.ROW_COUPLING);
        assertThat(GraphOperators.rowCoupling(ops)).isEmpty();
    }

    @Test
    void aGraphOfOneAddHasOneOperator() throws Exception {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        assertThat(GraphOperators.read(ByteBuffer.wrap(Files.readAllBytes(file)))).containsExactly("Add");
    }
}
