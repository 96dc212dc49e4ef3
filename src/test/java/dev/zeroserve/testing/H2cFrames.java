package dev.zeroserve.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cleartext HTTP/2 frames written and read by hand, for what a client library hides (the server's SETTINGS) or will not
 * send (a request's headers without its body).
 */
public final class H2cFrames {
    /** SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113, 6.5.2). */
    public static final int MAX_CONCURRENT_STREAMS = 0x3;
    /** SETTINGS_MAX_HEADER_LIST_SIZE. */
    public static final int MAX_HEADER_LIST_SIZE = 0x6;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADERS = 0x1;
    private static final int SETTINGS = 0x4;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;

    private H2cFrames() {
    }

    /** The settings the server announces in its first SETTINGS frame, by identifier. */
    public static Map<Integer, Long> serverSettings(URL base) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(opening());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                in.readInt(); // stream identifier
                byte[] payload = in.readNBytes(length);
                if (type == SETTINGS && (flags & ACK) == 0) {
                    Map<Integer, Long> settings = new LinkedHashMap<>();
                    for (int i = 0; i + 6 <= payload.length; i += 6) {
                        int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
                        long value = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xffL) << 16)
                                | ((payload[i + 4] & 0xffL) << 8) | (payload[i + 5] & 0xffL);
                        settings.put(id, value);
                    }
                    return settings;
                }
            }
        }
    }

    /**
     * The connection preface and the HEADERS of a JSON POST to {@code path} on stream 1, without END_STREAM: a request
     * whose body never comes.
     */
    public static byte[] postWithoutBody(String path) {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        literal(block, ":method", "POST");
        literal(block, ":scheme", "http");
        literal(block, ":authority", "localhost");
        literal(block, ":path", path);
        literal(block, "content-type", "application/json");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(opening());
        all.writeBytes(frame(HEADERS, END_HEADERS, 1, block.toByteArray()));
        return all.toByteArray();
    }

    /** The client's preface and an empty SETTINGS frame (every setting at its default). */
    private static byte[] opening() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        out.writeBytes(frame(SETTINGS, 0, 0, new byte[0]));
        return out.toByteArray();
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** HPACK's literal header field without indexing, with a new name, neither string Huffman-coded (RFC 7541, 6.2.2). */
    private static void literal(ByteArrayOutputStream block, String name, String value) {
        block.write(0x00);
        string(block, name);
        string(block, value);
    }

    private static void string(ByteArrayOutputStream block, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length >= 127) {
            throw new IllegalArgumentException("a one-byte length prefix holds at most 126: " + text);
        }
        block.write(bytes.length);
        block.writeBytes(bytes);
    }
}
