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
}
