package dev.zeroserve.testing;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** HTTP/1.1 spoken over a bare socket, for what ordinary clients will not send (HTTP/2's frames: {@link RawH2c}). */
public final class RawHttp {
    private RawHttp() {
    }

    /** A response as it came off the wire. */
    public record RawResponse(String head, String body) {
    }

    /**
     * Sends a JSON POST of {@code bytes} bytes in 64 KiB chunks, without a Content-Length, as a streaming client (or
     * a gzip bomb) does, and reads the response; the server may answer and close before the body has all gone.
     */
    public static RawResponse postChunked(URL base, String path, long bytes) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";
            var out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 << 10];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try {
                for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException closedWhileSending) {
                // The server refused the body and closed; its answer may still be readable.
            }
            return read(socket);
        }
    }

    /**
     * Sends the headers of a JSON POST that declares {@code contentLength} bytes, but no body, and reads the
     * response: the server must answer from the declared length alone.
     */
    public static RawResponse postHeadersOnly(URL base, String path, long contentLength) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + contentLength + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return read(socket);
        }
    }

    /**
     * Sends {@code sent}, the beginning of a request, then nothing more, and reads whatever comes back until the server
     * closes the connection: returns how long that took, or {@code patience} if the connection was still open then.
     */
    public static Duration untilClosed(URL base, byte[] sent, Duration patience) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout((int) patience.toMillis());
            long start = System.nanoTime();
            socket.getOutputStream().write(sent);
            socket.getOutputStream().flush();
            byte[] discarded = new byte[4096];
            try {
                while (socket.getInputStream().read(discarded) >= 0) {
                    if (System.nanoTime() - start > patience.toNanos()) {
                        return patience;
                    }
                }
            } catch (SocketTimeoutException stillOpen) {
                return patience;
            } catch (SocketException reset) {
                // Closed with a reset rather than a FIN: closed all the same.
            }
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    private static RawResponse read(Socket socket) throws IOException {
        String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int split = response.indexOf("\r\n\r\n");
        return split < 0 ? new RawResponse(response, "")
                : new RawResponse(response.substring(0, split), response.substring(split + 4));
    }
    /**
     * One HTTP/1.1 keep-alive connection: requests one after the other, each answer read to the end of its
     * Content-Length, so that the next request follows on the same socket.
     */
    public static final class KeepAlive implements AutoCloseable {
        private final Socket socket;
        private final java.io.InputStream in;

        public KeepAlive(URL base) throws IOException {
            socket = new Socket(base.getHost(), base.getPort());
            socket.setSoTimeout(10_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        /** A JSON POST on this connection; its status line, headers and body. */
        public RawResponse post(String path, String json) throws IOException {
            socket.getOutputStream().write(request(path, json));
            socket.getOutputStream().flush();
            String head = readHead(in);
            long length = contentLength(head);
            return new RawResponse(head, new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
        }

        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Sends a JSON POST on a connection of its own and closes it once {@code bytesRead} bytes of the answer have
     * arrived (0: at once, before any), as a client that gives up in the middle of a response.
     */
    public static void postAndHangUp(URL base, String path, String json, int bytesRead) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.setSoLinger(true, 0); // a reset, not a polite close: the server is still writing
            socket.getOutputStream().write(request(path, json));
            socket.getOutputStream().flush();
            if (bytesRead > 0) {
                socket.getInputStream().readNBytes(bytesRead);
            }
        }
    }

    private static byte[] request(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] request = java.util.Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII),
                head.length() + body.length);
        System.arraycopy(body, 0, request, head.length(), body.length);
        return request;
    }

    private static String readHead(java.io.InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed in the middle of a response's head: " + head);
            }
            head.append((char) b);
        }
        return head.substring(0, head.length() - 4);
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        throw new IOException("a response without a Content-Length: " + head);
    }
}
