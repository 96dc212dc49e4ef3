package dev.zeroserve.testing;

import java.net.URL;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;

/** Cleartext HTTP/2 with prior knowledge, as Knative's queue-proxy speaks to a port named h2c. */
public final class H2cClient implements AutoCloseable {
    /** A response with its protocol version, headers, trailers and body. */
    public record Reply(int status, HttpVersion version, MultiMap headers, MultiMap trailers, byte[] body) {
        /** A gRPC status sits in the trailers, or in the headers of a trailers-only response. */
        public String grpcHeader(String name) {
            return trailers.contains(name) ? trailers.get(name) : headers.get(name);
        }

        /** The gRPC status's name, e.g. INVALID_ARGUMENT. */
        public String grpcStatus() {
            String status = grpcHeader("grpc-status");
            return status == null ? "none" : io.grpc.Status.fromCodeValue(Integer.parseInt(status)).getCode().name();
        }

        /** grpc-message, its %XX escapes of UTF-8 bytes decoded. */
        public String grpcMessage() {
            String message = grpcHeader("grpc-message");
            if (message == null) {
                return "";
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < message.length(); i++) {
                char c = message.charAt(i);
                if (c == '%' && i + 2 < message.length()) {
                    bytes.write(Integer.parseInt(message.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    bytes.write(c);
                }
            }
            return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final HttpClient client;
    private final URL base;

    public H2cClient(Vertx vertx, URL base) {
        this.base = base;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false));
    }

    public Reply send(HttpMethod method, String path, Map<String, String> headers, byte[] body) throws Exception {
        return client.request(method, base.getPort(), base.getHost(), path)
                .compose(request -> {
                    headers.forEach(request::putHeader);
                    return body == null ? request.send() : request.send(Buffer.buffer(body));
                })
                .compose(response -> response.body().map(buffer -> new Reply(response.statusCode(),
                        response.version(), response.headers(), response.trailers(), buffer.getBytes())))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** One unary gRPC call, framed by hand so that every header (grpc-timeout included) is exactly as given. */
    public Reply grpc(String method, byte[] message, Map<String, String> headers) throws Exception {
        return grpcFramed(method, frame(false, message.length, message), headers);
    }

    /** One gRPC call whose body is exactly {@code body}: frames as given, well-formed or not. */
    public Reply grpcFramed(String method, byte[] body, Map<String, String> headers) throws Exception {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("content-type", "application/grpc");
        all.put("te", "trailers");
        return send(HttpMethod.POST, "/" + method, all, body);
    }

    /** A gRPC frame: the compressed flag, the length it declares (true or not), the bytes. */
    public static byte[] frame(boolean compressed, int declaredLength, byte[] message) {
        byte[] framed = new byte[5 + message.length];
        framed[0] = (byte) (compressed ? 1 : 0);
        framed[1] = (byte) (declaredLength >>> 24);
        framed[2] = (byte) (declaredLength >>> 16);
        framed[3] = (byte) (declaredLength >>> 8);
        framed[4] = (byte) declaredLength;
        System.arraycopy(message, 0, framed, 5, message.length);
        return framed;
    }

    @Override
    public void close() {
        client.close();
    }
}
