package dev.zeroserve.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.WarmupRequestDecoder;
import dev.zeroserve.metrics.InferenceMetrics;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.OnnxModelWriter;
import dev.zeroserve.testing.TestConfig;
import dev.zeroserve.testing.TestModels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Models with a shape, step, split, depth, delta or scales input, which the zero-filled warm-up cannot run (ONNX's own
 * node tests hold many): each still becomes ready, and answers a real request with the right values.
 */
class ModelsThatRefuseZerosTest {
    private static final WarmupRequestDecoder NO_WARMUP_FILE = (body, metadata, maxElements) -> {
        throw new AssertionError("these models have no warm-up file");
    };

    /** A model, a request it can run, and the first output's values it must give. */
    record Case(String name, OnnxModelWriter model, List<Tensor> inputs, float[] expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("Expand", new OnnxModelWriter("expand").input("data", DataType.FP32, "n")
                        .input("shape", DataType.INT64, 2).output("expanded", DataType.FP32, "rows", "columns")
                        .node("Expand", List.of("data", "shape"), List.of("expanded")),
                        List.of(floats("data", 1, 2, 3), longs("shape", 2, 3)),
                        new float[] { 1, 2, 3, 1, 2, 3 }),
                new Case("Slice with a step input", new OnnxModelWriter("slice").input("data", DataType.FP32, "n")
                        .input("starts", DataType.INT64, 1).input("ends", DataType.INT64, 1)
                        .input("axes", DataType.INT64, 1).input("steps", DataType.INT64, 1)
                        .output("sliced", DataType.FP32, "m")
                        .node("Slice", List.of("data", "starts", "ends", "axes", "steps"), List.of("sliced")),
                        List.of(floats("data", 10, 11, 12, 13, 14), longs("starts", 0), longs("ends", 5),
                                longs("axes", 0), longs("steps", 2)),
                        new float[] { 10, 12, 14 }),
                new Case("Split with a split input", new OnnxModelWriter("split").input("data", DataType.FP32, "n")
                        .input("split", DataType.INT64, 2).output("first", DataType.FP32, "p")
                        .output("second", DataType.FP32, "q")
                        .node("Split", List.of("data", "split"), List.of("first", "second"), Map.of("axis", 0L)),
                        List.of(floats("data", 1, 2, 3, 4, 5), longs("split", 2, 3)),
                        new float[] { 1, 2 }),
                new Case("OneHot with a depth input", new OnnxModelWriter("onehot")
                        .input("indices", DataType.INT64, "n").input("depth", DataType.INT64, 1)
                        .input("values", DataType.FP32, 2).output("encoded", DataType.FP32, "n", "d")
                        .node("OneHot", List.of("indices", "depth", "values"), List.of("encoded")),
                        List.of(longs("indices", 0, 2), longs("depth", 3), floats("values", 0, 1)),
                        new float[] { 1, 0, 0, 0, 0, 1 }),
                new Case("Range with scalar inputs", new OnnxModelWriter("range").input("start", DataType.FP32)
                        .input("limit", DataType.FP32).input("delta", DataType.FP32)
                        .output("range", DataType.FP32, "n")
                        .node("Range", List.of("start", "limit", "delta"), List.of("range")),
                        List.of(scalar("start", 0), scalar("limit", 5), scalar("delta", 2)),
                        new float[] { 0, 2, 4 }),
                // Nearest neighbour (the default) with half-pixel centres: each value twice along the last axis.
                new Case("Resize with a scales input", new OnnxModelWriter("resize")
                        .input("image", DataType.FP32, 1, 1, "h", "w").input("scales", DataType.FP32, 4)
                        .output("resized", DataType.FP32, 1, 1, "H", "W")
                        .node("Resize", List.of("image", "", "scales"), List.of("resized")),
                        List.of(Tensor.of("image", DataType.FP32, new long[] { 1, 1, 1, 2 },
                                floats("image", 1, 2).data()), floats("scales", 1, 1, 1, 2)),
                        new float[] { 1, 1, 2, 2 }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isServedAndAnswersRealRequests(Case model) throws Exception {
        Path file = model.model().writeTo(TestModels.tempRepository().resolve(model.name().split(" ")[0]
                .toLowerCase()).resolve("1").resolve("model.onnx"));
        ModelLifecycle lifecycle = new ModelLifecycle(TestConfig.with(Map.of("zeroserve.model.uri", "file:" + file)),
                TestConfig.IDLE_TIMEOUT, new InferenceMetrics(new SimpleMeterRegistry()), NO_WARMUP_FILE);
        try {
            lifecycle.onStart(null);
            Await.until(Duration.ofSeconds(30), () -> lifecycle.state() != ModelLifecycle.State.LOADING);
            assertThat(lifecycle.state()).as("served although zeros fail").isEqualTo(ModelLifecycle.State.READY);
            ServedModel served = lifecycle.resolve(lifecycle.modelName(), null);
            String output = served.metadata().outputs().get(0).name();
            List<Tensor> outputs = served.scheduler().submit(List.of(new BatchEntry(model.inputs(), List.of(output),
                    null, 1, 0)), System.nanoTime() + TimeUnit.SECONDS.toNanos(10)).results().get(0)
                    .get(10, TimeUnit.SECONDS);
            ByteBuffer data = outputs.get(0).data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[data.remaining() / Float.BYTES];
            data.asFloatBuffer().get(values);
            assertThat(values).containsExactly(model.expected());
        } finally {
            lifecycle.onStop(null);
        }
    }

    private static Tensor floats(String name, float... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            data.putFloat(value);
        }
        return Tensor.of(name, DataType.FP32, new long[] { values.length }, data.flip());
    }

    private static Tensor scalar(String name, float value) {
        return Tensor.of(name, DataType.FP32, new long[0], floats(name, value).data());
    }

    private static Tensor longs(String name, long... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            data.putLong(value);
        }
        return Tensor.of(name, DataType.INT64, new long[] { values.length }, data.flip());
    }
}
