package dev.zeroserve.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.protobuf.CodedOutputStream;

import dev.zeroserve.inference.DataType;

/**
 * Writes small ONNX models for tests, encoding the ONNX protobuf schema (onnx.proto) field by field, so that tests
 * run against real ONNX Runtime sessions without a model download.
 */
public final class OnnxModelWriter {
    private static final long IR_VERSION = 8;
    private static final long OPSET = 17;
    private static final int ATTRIBUTE_INT = 2;

    /** A graph input or output: name, element type and dims, where a String dim is symbolic (dynamic). */
    public record Value(String name, DataType type, Object... dims) {
    }

    private record Node(String opType, List<String> inputs, List<String> outputs, Map<String, Long> intAttributes,
            String name) {
    }

    private final String graphName;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private long modelVersion;

    public OnnxModelWriter(String graphName) {
        this.graphName = graphName;
    }

    public OnnxModelWriter input(String name, DataType type, Object... dims) {
        inputs.add(new Value(name, type, dims));
        return this;
    }

    public OnnxModelWriter output(String name, DataType type, Object... dims) {
        outputs.add(new Value(name, type, dims));
        return this;
    }

    public OnnxModelWriter node(String opType, List<String> nodeInputs, List<String> nodeOutputs) {
        return node(opType, nodeInputs, nodeOutputs, Map.of());
    }

    /** A node with integer attributes, such as Cast's {@code to}. */
    public OnnxModelWriter node(String opType, List<String> nodeInputs, List<String> nodeOutputs,
            Map<String, Long> intAttributes) {
        nodes.add(new Node(opType, nodeInputs, nodeOutputs, intAttributes, null));
        return this;
    }

    /**
     * Names the node added last, which ONNX Runtime quotes in the message of its failure; without a name a node is
     * called by its operator and position.
     */
    public OnnxModelWriter named(String name) {
        Node last = nodes.remove(nodes.size() - 1);
        nodes.add(new Node(last.opType(), last.inputs(), last.outputs(), last.intAttributes(), name));
        return this;
    }

    public OnnxModelWriter modelVersion(long version) {
        this.modelVersion = version;
        return this;
    }

    public byte[] toBytes() {
        byte[] graph = message(out -> {
            for (int i = 0; i < nodes.size(); i++) {
                Node node = nodes.get(i);
                String nodeName = node.name() != null ? node.name() : node.opType() + "_" + i;
                out.writeByteArray(1, message(n -> {
                    for (String in : node.inputs()) {
                        n.writeString(1, in);
                    }
                    for (String o : node.outputs()) {
                        n.writeString(2, o);
                    }
                    n.writeString(3, nodeName);
                    n.writeString(4, node.opType());
                    for (Map.Entry<String, Long> attribute : node.intAttributes().entrySet()) {
                        n.writeByteArray(5, message(a -> {
                            a.writeString(1, attribute.getKey());
                            a.writeInt64(3, attribute.getValue());
                            a.writeEnum(20, ATTRIBUTE_INT);
                        }));
                    }
                }));
            }
            out.writeString(2, graphName);
            for (Value input : inputs) {
                out.writeByteArray(11, valueInfo(input));
            }
            for (Value output : outputs) {
                out.writeByteArray(12, valueInfo(output));
            }
        });
        return message(out -> {
            out.writeInt64(1, IR_VERSION);
            out.writeString(2, "zeroserve-tests");
            if (modelVersion > 0) {
                out.writeInt64(5, modelVersion);
            }
            out.writeByteArray(7, graph);
            out.writeByteArray(8, message(opset -> {
                opset.writeString(1, "");
                opset.writeInt64(2, OPSET);
            }));
        });
    }

    public Path writeTo(Path file) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] valueInfo(Value value) {
        byte[] shape = message(out -> {
            for (Object dim : value.dims()) {
                out.writeByteArray(1, message(d -> {
                    if (dim instanceof String symbol) {
                        d.writeString(2, symbol);
                    } else {
                        d.writeInt64(1, ((Number) dim).longValue());
                    }
                }));
            }
        });
        byte[] tensorType = message(out -> {
            out.writeInt32(1, elementType(value.type()));
            out.writeByteArray(2, shape);
        });
        return message(out -> {
            out.writeString(1, value.name());
            out.writeByteArray(2, message(type -> type.writeByteArray(1, tensorType)));
        });
    }

    /** TensorProto.DataType numbers of onnx.proto. */
    public static int elementType(DataType type) {
        return switch (type) {
            case FP32 -> 1;
            case UINT8 -> 2;
            case INT8 -> 3;
            case UINT16 -> 4;
            case INT16 -> 5;
            case INT32 -> 6;
            case INT64 -> 7;
            case BYTES -> 8;
            case BOOL -> 9;
            case FP16 -> 10;
            case FP64 -> 11;
            case UINT32 -> 12;
            case UINT64 -> 13;
            case BF16 -> 16;
        };
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            fields.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
