package dev.zeroserve.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import com.google.protobuf.ByteString;

import dev.zeroserve.api.grpc.v2.ModelInferRequest;

/** v2 requests for the bundled sentence-embedding model: one sequence of token ids, as JSON and as gRPC raw contents. */
public final class BundledModelRequests {
    public static final String MODEL = "all-minilm-l6-v2";
    public static final String[] INPUTS = { "input_ids", "attention_mask", "token_type_ids" };

    private BundledModelRequests() {
    }

    /** [CLS], then the 14 words of the 16-token sentence repeated, then [SEP]. */
    public static long[] tokenIds(int count) {
        long[] words = Arrays.copyOfRange(DirectOnnxRuntime.TOKENS_16, 1, 15);
        long[] ids = new long[count];
        ids[0] = 101;
        for (int i = 1; i < count - 1; i++) {
            ids[i] = words[(i - 1) % words.length];
        }
        ids[count - 1] = 102;
        return ids;
    }

    /** The three inputs' values for these token ids: the ids, an all-ones attention mask, zero token types. */
    public static long[][] valuesFor(long[] ids) {
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        return new long[][] { ids, mask, new long[ids.length] };
    }

    public static String json(long[][] values) {
        StringBuilder body = new StringBuilder("{\"inputs\":[");
        for (int n = 0; n < INPUTS.length; n++) {
            body.append(n > 0 ? "," : "").append("{\"name\":\"").append(INPUTS[n])
                    .append("\",\"datatype\":\"INT64\",\"shape\":[1,").append(values[n].length).append("],\"data\":")
                    .append(Arrays.toString(values[n]).replace(" ", "")).append('}');
        }
        return body.append("]}").toString();
    }

    public static ModelInferRequest grpc(long[][] values) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(MODEL);
        for (int n = 0; n < INPUTS.length; n++) {
            request.addInputsBuilder().setName(INPUTS[n]).setDatatype("INT64").addShape(1).addShape(values[n].length);
            request.addRawInputContents(ByteString.copyFrom(int64s(values[n])));
        }
        return request.build();
    }

    public static byte[] int64s(long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long value : values) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    /** The binary extension's JSON header: each input's size in the body, and the output asked for as binary. */
    public static String binaryHeader(int tokens) {
        StringBuilder header = new StringBuilder("{\"parameters\":{\"binary_data_output\":true},\"inputs\":[");
        for (int n = 0; n < INPUTS.length; n++) {
            header.append(n > 0 ? "," : "").append("{\"name\":\"").append(INPUTS[n])
                    .append("\",\"datatype\":\"INT64\",\"shape\":[1,").append(tokens)
                    .append("],\"parameters\":{\"binary_data_size\":").append(tokens * 8).append("}}");
        }
        return header.append("]}").toString();
    }
}
