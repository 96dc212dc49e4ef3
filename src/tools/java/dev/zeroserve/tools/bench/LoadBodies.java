package dev.zeroserve.tools.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.Sentences;

/**
 * Writes the request bodies that {@code src/tools/scripts/load-bench.sh} sends with wrk and h2load, one sequence of
 * {@code tokens} token ids at batch 1 ({@link BundledModelRequests#tokenIds}), into a directory:
 * {@code json.body} (v2 REST JSON), {@code binary.body} and {@code binary.header-length} (v2 REST binary tensors: the
 * JSON header, then the three inputs as little-endian int64, binary outputs requested), {@code grpc.body} (a
 * length-prefixed gRPC message: ModelInferRequest with raw_input_contents) and {@code embeddings.body}
 * (/v1/embeddings with {@link Sentences#SHORT}, about 12 tokens).
 *
 * <p>Arguments: {@code <directory> [tokens, default 16]}.
 */
public final class LoadBodies {
    private LoadBodies() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/load-bench");
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Files.createDirectories(dir);
        long[][] values = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(tokens));

        Files.writeString(dir.resolve("json.body"), BundledModelRequests.json(values));

        byte[] header = BundledModelRequests.binaryHeader(tokens).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.write(header);
        for (long[] input : values) {
            binary.write(BundledModelRequests.int64s(input));
        }
        Files.write(dir.resolve("binary.body"), binary.toByteArray());
        Files.writeString(dir.resolve("binary.header-length"), Integer.toString(header.length));

        // gRPC over HTTP/2 frames each message as: compressed flag (0), 4-byte big-endian length, the message.
        byte[] message = BundledModelRequests.grpc(values).toByteArray();
        Files.write(dir.resolve("grpc.body"), ByteBuffer.allocate(5 + message.length).put((byte) 0)
                .putInt(message.length).put(message).array());

        Files.writeString(dir.resolve("embeddings.body"), new ObjectMapper().createObjectNode()
                .put("model", BundledModelRequests.MODEL).put("input", Sentences.SHORT).toString());
        System.out.println("wrote request bodies for " + tokens + " tokens to " + dir);
    }

}
