package dev.zeroserve.api.rest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.Tensor;

/**
 * The v2 JSON body of the load benchmark's REST JSON cell, without HTTP: decoding a request of 16 tokens (three INT64
 * inputs of {@code [1, 16]}) and encoding its answer, {@code last_hidden_state} FP32 {@code [1, 16, 384]} (6,144
 * floats as text). Entry points: {@link JsonInferenceCodec#decodeRequest} and {@link JsonInferenceCodec#encodeResponse}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JsonBodyBenchmark {
    static final int TOKENS = 16;
    static final int HIDDEN = 384;

    private byte[] request;
    private InferenceRequest decoded;
    private InferenceResponse response;

    @Setup
    public void bodies() {
        StringBuilder ids = new StringBuilder();
        StringBuilder ones = new StringBuilder();
        StringBuilder zeros = new StringBuilder();
        for (int i = 0; i < TOKENS; i++) {
            String sep = i == 0 ? "" : ",";
            ids.append(sep).append(i == 0 ? 101 : i == TOKENS - 1 ? 102 : 2000 + 37 * i);
            ones.append(sep).append(1);
            zeros.append(sep).append(0);
        }
        String shape = "[1," + TOKENS + "]";
        request = ("{\"id\":\"bench\",\"inputs\":["
                + input("input_ids", shape, ids) + "," + input("attention_mask", shape, ones) + ","
                + input("token_type_ids", shape, zeros) + "]}").getBytes(StandardCharsets.UTF_8);
        decoded = decode();
        ByteBuffer data = ByteBuffer.allocate(TOKENS * HIDDEN * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Random random = new Random(42);
        for (int i = 0; i < TOKENS * HIDDEN; i++) {
            data.putFloat((float) (random.nextGaussian() * 0.3));
        }
        response = new InferenceResponse("all-minilm-l6-v2", "1", "bench", List.of(Tensor.of("last_hidden_state",
                DataType.FP32, new long[] { 1, TOKENS, HIDDEN }, data.flip())));
    }

    private static String input(String name, String shape, CharSequence data) {
        return "{\"name\":\"" + name + "\",\"datatype\":\"INT64\",\"shape\":" + shape + ",\"data\":[" + data + "]}";
    }

    @Benchmark
    public InferenceRequest decode() {
        return JsonInferenceCodec.decodeRequest(request, request.length, "all-minilm-l6-v2", null, 1 << 24);
    }

    @Benchmark
    public int encode() {
        return JsonInferenceCodec.encodeResponse(response, decoded).body().length();
    }
}
