package dev.zeroserve.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.zeroserve.inference.DataType;

/** The small models the tests build. */
public final class TestModels {
    /** The data types ONNX Runtime's Java API can feed and read. */
    public static final List<DataType> ORT_TYPES = Arrays.stream(DataType.values())
            .filter(DataType::supportedByOnnxRuntime).toList();

    private TestModels() {
    }

    /**
     * One Identity per supported data type ({@code in_<TYPE>} to {@code out_<TYPE>}, shape [batch, 3]) and an Add of
     * {@code a} and {@code b} (FP32, [batch, 4]) into {@code sum}: every type, a fixed dimension, a shared symbolic one.
     */
    public static OnnxModelWriter allTypes() {
        OnnxModelWriter model = new OnnxModelWriter("all_types");
        for (DataType type : ORT_TYPES) {
            model.input("in_" + type, type, "batch", 3)
                    .output("out_" + type, type, "batch", 3)
                    .node("Identity", List.of("in_" + type), List.of("out_" + type));
        }
        return model.input("a", DataType.FP32, "batch", 4)
                .input("b", DataType.FP32, "batch", 4)
                .output("sum", DataType.FP32, "batch", 4)
                .node("Add", List.of("a", "b"), List.of("sum"));
    }

    /**
     * Every type that gRPC can carry in typed contents passes through an Identity ({@code in_<TYPE>} to
     * {@code out_<TYPE>}, shape [batch, 3]); FP16 and BF16, which travel only raw, come out as casts of
     * {@code in_FP32}. So one request can go over every protocol, typed gRPC included, and return every type.
     */
    public static OnnxModelWriter typedInputs() {
        OnnxModelWriter model = new OnnxModelWriter("typed_inputs");
        for (DataType type : ORT_TYPES) {
            if (type == DataType.FP16 || type == DataType.BF16) {
                model.output("out_" + type, type, "batch", 3)
                        .node("Cast", List.of("in_FP32"), List.of("out_" + type),
                                java.util.Map.of("to", (long) OnnxModelWriter.elementType(type)));
            } else {
                model.input("in_" + type, type, "batch", 3)
                        .output("out_" + type, type, "batch", 3)
                        .node("Identity", List.of("in_" + type), List.of("out_" + type));
            }
        }
        return model;
    }

    /** Adds two FP32 tensors of any shape: {@code a + b = sum}. */
    public static OnnxModelWriter add() {
        return new OnnxModelWriter("add")
                .input("a", DataType.FP32, "n")
                .input("b", DataType.FP32, "n")
                .output("sum", DataType.FP32, "n")
                .node("Add", List.of("a", "b"), List.of("sum"));
    }

    /** A temporary model repository directory. */
    public static Path tempRepository() {
        try {
            Path dir = Files.createTempDirectory("zeroserve-models");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
