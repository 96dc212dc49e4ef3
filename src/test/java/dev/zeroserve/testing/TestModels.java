package dev.zeroserve.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
                                Map.of("to", (long) OnnxModelWriter.elementType(type)));
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

    /**
     * A float stand-in for a sentence encoder, with the bundled model's inputs and output: each token's vector
     * ({@code last_hidden_state}, [batch, sequence, 3]) is its softmax weight among the unmasked tokens of its row
     * (logits sin(id); masked positions get -inf, as attention masks them), its square, and the weight times cos(id).
     * So a token's vector depends on every unmasked token of its row and on nothing else: no other row, no masked
     * position, and, being float, no quantization scale shared across the call. The square keeps a change of the
     * weights (an unmasked padding position, say) from cancelling out when the pooled vector is normalised.
     */
    public static OnnxModelWriter tokenMixer() {
        return tokenMixer("token_mixer", "one", "columns");
    }

    /**
     * {@link #tokenMixer()} whose reshapes ask for twice the values they have ([batch, sequence, 2]), so that ONNX
     * Runtime fails every execution with a message that names a source file of its build, and whose reshape nodes are
     * named as a CUDA error, which ONNX Runtime quotes in that message: the engine takes it for an accelerator failure,
     * the server's fault, as it would take a real one. So every request fails INTERNAL, over every protocol.
     */
    public static OnnxModelWriter failingMixer() {
        return tokenMixer("failing_mixer", "rank", "CUDA failure 700: an illegal memory access");
    }

    /** The token mixer's graph, its per-token columns shaped [batch, sequence, {@code lastDim}] by nodes named so. */
    private static OnnxModelWriter tokenMixer(String graphName, String lastDim, String reshape) {
        long toFloat = OnnxModelWriter.elementType(DataType.FP32);
        long toBool = OnnxModelWriter.elementType(DataType.BOOL);
        return new OnnxModelWriter(graphName)
                .input("input_ids", DataType.INT64, "batch", "sequence")
                .input("attention_mask", DataType.INT64, "batch", "sequence")
                .input("token_type_ids", DataType.INT64, "batch", "sequence")
                .output("last_hidden_state", DataType.FP32, "batch", "sequence", 3)
                .node("Cast", List.of("input_ids"), List.of("ids"), Map.of("to", toFloat))
                .node("Cast", List.of("attention_mask"), List.of("attended"), Map.of("to", toBool))
                .node("Equal", List.of("input_ids", "input_ids"), List.of("true"))
                .node("Cast", List.of("true"), List.of("ones"), Map.of("to", toFloat))
                .node("Sub", List.of("ones", "ones"), List.of("zeros"))
                .node("Log", List.of("zeros"), List.of("minus_infinity"))
                .node("Sin", List.of("ids"), List.of("logits"))
                .node("Where", List.of("attended", "logits", "minus_infinity"), List.of("masked_logits"))
                .node("Softmax", List.of("masked_logits"), List.of("weight"), Map.of("axis", 1L))
                .node("Cos", List.of("ids"), List.of("cos"))
                .node("Mul", List.of("weight", "cos"), List.of("weighted_cos"))
                .node("Mul", List.of("weight", "weight"), List.of("weight_squared"))
                // [batch, sequence] -> [batch, sequence, 1] without constants: the shape, and a 1 made of its rank.
                .node("Shape", List.of("input_ids"), List.of("shape"))
                .node("Shape", List.of("shape"), List.of("rank"))
                .node("Div", List.of("rank", "rank"), List.of("one"))
                .node("Concat", List.of("shape", lastDim), List.of("column_shape"), Map.of("axis", 0L))
                .node("Reshape", List.of("weight", "column_shape"), List.of("weight_column")).named(reshape + " 1")
                .node("Reshape", List.of("weighted_cos", "column_shape"), List.of("cos_column")).named(reshape + " 2")
                .node("Reshape", List.of("weight_squared", "column_shape"), List.of("squared_column"))
                .named(reshape + " 3")
                .node("Concat", List.of("weight_column", "squared_column", "cos_column"), List.of("last_hidden_state"),
                        Map.of("axis", 2L));
    }

    /**
     * Reshapes {@code data} (FP32, [n]) to the shape given by the input {@code shape} (INT64, [2]): a model that
     * refuses the zero-filled warm-up (a shape of zeros copies dimensions the data does not have) and serves every
     * real request.
     */
    public static OnnxModelWriter reshape() {
        return new OnnxModelWriter("reshape")
                .input("data", DataType.FP32, "n")
                .input("shape", DataType.INT64, 2)
                .output("reshaped", DataType.FP32, "rows", "columns")
                .node("Reshape", List.of("data", "shape"), List.of("reshaped"));
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
