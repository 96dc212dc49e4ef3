package dev.zeroserve.testing;

import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 spoken over a bare socket, for what ordinary clients will not send. */
public final class RawHttp {
    private RawHttp() {
    }

    /** A response as it came off the wire. */
    public record RawResponse(String head, String body) {
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
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = response.indexOf("\r\n\r\n");
            return split < 0 ? new RawResponse(response, "")
                    : new RawResponse(response.substring(0, split), response.substring(split + 4));
        }
    }
}
