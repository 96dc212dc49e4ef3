package dev.zeroserve.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

/**
 * The operator types of an ONNX model, read from its protobuf (ModelProto) without building it: the graph's nodes,
 * those of subgraphs in node attributes (If, Loop, Scan) and of model-local functions. Initializers, the bulk of the
 * file, are skipped by position, so a memory-mapped model is read only where its nodes lie.
 */
final class GraphOperators {
    /**
     * Operators whose arithmetic couples the rows of one execution: they compute a quantization scale over the whole
     * input tensor, batch included, so a row's result depends on the rows beside it.
     */
    static final Set<String> ROW_COUPLING = Set.of("DynamicQuantizeLinear", "DynamicQuantizeMatMul",
            "DynamicQuantizeLSTM");

    // Field numbers of onnx.proto3.
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_FUNCTIONS = 25;
    private static final int GRAPH_NODE = 1;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_GRAPH = 6;
    private static final int ATTRIBUTE_GRAPHS = 11;
    private static final int FUNCTION_NODE = 7;

    private GraphOperators() {
    }

    /** Every operator type in the model, sorted. */
    static Set<String> read(ByteBuffer model) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(model);
        in.setRecursionLimit(1000);
        Set<String> ops = new TreeSet<>();
        forEachField(in, (field, input) -> switch (field) {
            case MODEL_GRAPH -> nested(input, ops, GraphOperators::graph);
            case MODEL_FUNCTIONS -> nested(input, ops, GraphOperators::function);
            default -> false;
        });
        return ops;
    }

    /** The row-coupling operators among {@code ops}, named for a message, if there are any. */
    static Optional<String> rowCoupling(Set<String> ops) {
        return ops.stream().filter(ROW_COUPLING::contains).reduce((a, b) -> a + ", " + b);
    }

    private static void graph(CodedInputStream in, Set<String> ops) throws IOException {
        forEachField(in, (field, input) -> field == GRAPH_NODE && nested(input, ops, GraphOperators::node));
    }

    private static void function(CodedInputStream in, Set<String> ops) throws IOException {
        forEachField(in, (field, input) -> field == FUNCTION_NODE && nested(input, ops, GraphOperators::node));
    }

    private static void node(CodedInputStream in, Set<String> ops) throws IOException {
        forEachField(in, (field, input) -> switch (field) {
            case NODE_OP_TYPE -> ops.add(input.readStringRequireUtf8()) || true;
            case NODE_ATTRIBUTE -> nested(input, ops, GraphOperators::attribute);
            default -> false;
        });
    }

    private static void attribute(CodedInputStream in, Set<String> ops) throws IOException {
        forEachField(in, (field, input) -> (field == ATTRIBUTE_GRAPH || field == ATTRIBUTE_GRAPHS)
                && nested(input, ops, GraphOperators::graph));
    }

    private interface FieldReader {
        /** Reads the field's value and returns true, or returns false to have it skipped. */
        boolean read(int field, CodedInputStream in) throws IOException;
    }

    private interface MessageReader {
        void read(CodedInputStream in, Set<String> ops) throws IOException;
    }

    private static void forEachField(CodedInputStream in, FieldReader reader) throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            boolean lengthDelimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (!lengthDelimited || !reader.read(WireFormat.getTagFieldNumber(tag), in)) {
                in.skipField(tag);
            }
        }
    }

    private static boolean nested(CodedInputStream in, Set<String> ops, MessageReader reader) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        reader.read(in, ops);
        in.popLimit(limit);
        return true;
    }
}
