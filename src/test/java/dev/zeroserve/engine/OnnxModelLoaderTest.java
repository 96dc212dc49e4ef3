package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.config.ModelSource;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.testing.OnnxModelWriter;
import dev.zeroserve.testing.TestConfig;
import dev.zeroserve.testing.TestModels;

class OnnxModelLoaderTest {

    private static OnnxModel load(Path file, Map<String, String> properties) {
        return load(file, properties, 1);
    }

    private static OnnxModel load(Path file, Map<String, String> properties, int executions) {
        ZeroserveConfig config = TestConfig.with(properties);
        return new OnnxModelLoader(config.engine(), new TensorRtProfiles.Bounds(config.batching().maxBatchSize(),
                config.embeddings().maxSequenceLength(), config.warmup().dynamicDimSize())).load(ModelSource.parse("file:" + file), config.model(),
                (coupling, onCpu) -> executions);
    }

    @Test
    void metadataComesFromTheSessionAndTheRepositoryLayout() throws Exception {
        Path file = TestModels.allTypes().writeTo(TestModels.tempRepository().resolve("zoo/7/model.onnx"));
        try (OnnxModel model = load(file, Map.of())) {
            ModelMetadata metadata = model.metadata();
            assertThat(metadata.name()).isEqualTo("zoo");
            assertThat(metadata.version()).isEqualTo("7");
            assertThat(metadata.platform()).isEqualTo("onnxruntime_onnx");
            assertThat(metadata.inputs()).extracting(TensorSpec::name)
                    .containsSubsequence("in_BOOL", "in_FP32", "in_BYTES", "a", "b");
            TensorSpec fp16 = metadata.input("in_FP16");
            assertThat(fp16.dataType()).isEqualTo(DataType.FP16);
            assertThat(fp16.shape()).containsExactly(-1, 3);
            assertThat(fp16.dimName(0)).isEqualTo("batch");
            assertThat(fp16.dimName(1)).isNull();
            assertThat(metadata.output("sum").shape()).containsExactly(-1, 4);
            assertThat(metadata.properties()).containsEntry("execution_provider", "cpu")
                    .containsEntry("spinning_stops_after_run", "true");
        }
        try (OnnxModel model = load(file, Map.of("zeroserve.engine.spinning-stops-after-run", "false"))) {
            assertThat(model.metadata().properties()).containsEntry("spinning_stops_after_run", "false");
        }
    }

    @Test
    void configuredNameAndVersionWin() throws Exception {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("zoo/7/model.onnx"));
        try (OnnxModel model = load(file, Map.of("zeroserve.model.name", "adder", "zeroserve.model.version", "42"))) {
            assertThat(model.metadata().name()).isEqualTo("adder");
            assertThat(model.metadata().version()).isEqualTo("42");
        }
    }

    @Test
    void versionFallsBackToTheOnnxModelVersionOutsideTheLayout() throws Exception {
        Path file = TestModels.add().modelVersion(5).writeTo(TestModels.tempRepository().resolve("adder.onnx"));
        try (OnnxModel model = load(file, Map.of())) {
            assertThat(model.metadata().name()).isEqualTo("adder");
            assertThat(model.metadata().version()).isEqualTo("5");
        }
    }

    @Test
    void everySupportedTypePassesThroughTheEngineBitForBit() throws Exception {
        Path file = TestModels.allTypes().writeTo(TestModels.tempRepository().resolve("zoo/1/model.onnx"));
        try (OnnxModel model = load(file, Map.of())) {
            List<Tensor> inputs = new ArrayList<>();
            List<String> outputs = new ArrayList<>();
            for (DataType type : TestModels.ORT_TYPES) {
                inputs.add(sample("in_" + type, type, 2));
                outputs.add("out_" + type);
            }
            inputs.add(sample("a", DataType.FP32, 2, 4));
            inputs.add(sample("b", DataType.FP32, 2, 4));
            List<Tensor> results = model.run(inputs, outputs, RunObserver.NONE);
            for (int i = 0; i < outputs.size(); i++) {
                Tensor in = inputs.get(i);
                Tensor out = results.get(i);
                assertThat(out.name()).isEqualTo(outputs.get(i));
                assertThat(out.dataType()).isEqualTo(in.dataType());
                assertThat(out.shape()).containsExactly(2, 3);
                assertThat(out.data()).as(out.name()).isEqualTo(in.data());
            }
        }
    }

    @Test
    void aModelThatQuantizesActivationsPerCallIsFoundCoupledAndAFloatOneIsNot() throws Exception {
        Path quantized = new OnnxModelWriter("requantize")
                .input("x", DataType.FP32, "batch", 4)
                .output("y", DataType.FP32, "batch", 4)
                .node("DynamicQuantizeLinear", List.of("x"), List.of("q", "scale", "zero"))
                .node("DequantizeLinear", List.of("q", "scale", "zero"), List.of("y"))
                .writeTo(TestModels.tempRepository().resolve("requantize.onnx"));
        try (OnnxModel model = load(quantized, Map.of())) {
            assertThat(model.rowCoupling()).contains("DynamicQuantizeLinear");
        }
        Path plain = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        try (OnnxModel model = load(plain, Map.of())) {
            assertThat(model.rowCoupling()).isEmpty();
        }
    }

    @Test
    void addComputes() throws Exception {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        try (OnnxModel model = load(file, Map.of())) {
            Tensor a = floats("a", 1f, 2f, 3f);
            Tensor b = floats("b", 10f, 20f, 30f);
            Tensor sum = model.run(List.of(a, b), List.of("sum"), RunObserver.NONE).get(0);
            assertThat(sum.data().getFloat(0)).isEqualTo(11f);
            assertThat(sum.data().getFloat(8)).isEqualTo(33f);
        }
    }

    @Test
    void gpuProviderMissingFailsStartUpNamingTheCause() {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        assertThatThrownBy(() -> load(file, Map.of("zeroserve.engine.execution-providers", "cuda,cpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("cuda")
                .hasMessageContaining("zeroserve.engine.gpu-fallback=cpu");
    }

    @Test
    void gpuProviderMissingFallsBackToCpuWhenAllowed() throws Exception {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        try (OnnxModel model = load(file, Map.of("zeroserve.engine.execution-providers", "tensorrt,cuda,cpu",
                "zeroserve.engine.gpu-fallback", "cpu", "zeroserve.engine.intra-op-threads", "1",
                "zeroserve.engine.optimization-level", "basic"))) {
            assertThat(model.metadata().properties())
                    .containsEntry("execution_provider", "cpu")
                    .containsEntry("execution_providers", "cpu");
        }
    }

    @Test
    void onCpuNoGpuProviderOptionsAreShown() throws Exception {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        try (OnnxModel model = load(file, Map.of("zeroserve.engine.execution-providers", "tensorrt,cuda,cpu",
                "zeroserve.engine.gpu-fallback", "cpu", "zeroserve.engine.intra-op-threads", "1"))) {
            assertThat(model.metadata().properties().keySet())
                    .noneMatch(key -> key.startsWith("tensorrt.") || key.startsWith("cuda."));
        }
    }

    @Test
    void tensorRtAskedForOnTheCpuBuildFailsNamingTheProvider() {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        assertThatThrownBy(() -> load(file, Map.of("zeroserve.engine.execution-providers", "tensorrt,cpu")))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("execution provider tensorrt (zeroserve.engine.execution-providers) is not in "
                        + "this ONNX Runtime build");
    }

    @Test
    void anEngineSettingThatCannotBeUsedFailsTheLoadNamingItsKey() {
        Path file = TestModels.add().writeTo(TestModels.tempRepository().resolve("add.onnx"));
        assertThatThrownBy(() -> load(file, Map.of("zeroserve.engine.execution-providers", "tensorrt,cpu",
                "zeroserve.engine.tensorrt.max-workspace-size", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("zeroserve.engine.tensorrt.max-workspace-size=0");
    }

    @Test
    void typesTheJavaApiCannotTakeFailAtLoad() {
        Path file = new OnnxModelWriter("u32")
                .input("x", DataType.UINT32, 2).output("y", DataType.UINT32, 2)
                .node("Identity", List.of("x"), List.of("y"))
                .writeTo(TestModels.tempRepository().resolve("u32.onnx"));
        assertThatThrownBy(() -> load(file, Map.of()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("input 'x'")
                .hasMessageContaining("UINT32");
    }

    @Test
    void corruptModelFailsNamingTheSource() throws Exception {
        Path file = TestModels.tempRepository().resolve("broken.onnx");
        java.nio.file.Files.writeString(file, "not a model");
        assertThatThrownBy(() -> load(file, Map.of()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("broken.onnx");
    }

    private static Tensor floats(String name, float... values) {
        ByteBuffer data = Tensor.allocate(values.length * 4L);
        for (float value : values) {
            data.putFloat(value);
        }
        return Tensor.of(name, DataType.FP32, new long[] { values.length }, data.flip());
    }

    /** Distinct, type-appropriate bytes for every element (BYTES: short strings). */
    static Tensor sample(String name, DataType type, long... shape) {
        long[] fullShape = shape.length == 1 ? new long[] { shape[0], 3 } : shape;
        int count = (int) (fullShape[0] * fullShape[1]);
        if (type == DataType.BYTES) {
            byte[][] elements = new byte[count][];
            for (int i = 0; i < count; i++) {
                elements[i] = ("élément-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            return Tensor.of(name, type, fullShape, Tensor.encodeBytes(elements));
        }
        ByteBuffer data = Tensor.allocate((long) count * type.byteSize());
        for (int i = 0; i < data.capacity(); i++) {
            data.put((byte) (type == DataType.BOOL ? i % 2 : 17 * i + 3));
        }
        if (type == DataType.FP16 || type == DataType.BF16 || type == DataType.FP32 || type == DataType.FP64) {
            data.clear();
            for (int i = 0; i < count; i++) {
                switch (type) {
                    case FP16 -> data.putShort(ai.onnxruntime.platform.Fp16Conversions.floatToFp16(i * 0.5f - 1));
                    case BF16 -> data.putShort(ai.onnxruntime.platform.Fp16Conversions.floatToBf16(i * 0.5f - 1));
                    case FP32 -> data.putFloat(i * 0.25f - 1);
                    default -> data.putDouble(i * 0.125 - 1);
                }
            }
        }
        return Tensor.of(name, type, fullShape, data.flip());
    }
}
