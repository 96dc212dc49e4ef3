package dev.zeroserve.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.CharsetUtil;

/**
 * One cleartext HTTP/2 connection (prior knowledge, as Knative's queue-proxy speaks h2c), driven frame by frame with
 * Netty's codec: a test decides exactly when a stream's RST_STREAM leaves relative to its request, and sees the
 * connection's GOAWAY, which an ordinary client hides behind a reconnection.
 */
public final class RawH2c implements AutoCloseable {
    /** What the server sent on a stream: its headers, body and trailers, or the code of its RST_STREAM. */
    public record Answer(Http2Headers headers, byte[] body, Http2Headers trailers, long resetCode) {
        public boolean reset() {
            return resetCode >= 0;
        }

        public String status() {
            return headers == null ? "none" : String.valueOf(headers.status());
        }

        /** grpc-status, from the trailers or, for a trailers-only answer, the headers; "none" if absent. */
        public String grpcStatus() {
            CharSequence status = trailers != null ? trailers.get("grpc-status") : null;
            if (status == null && headers != null) {
                status = headers.get("grpc-status");
            }
            return status == null ? "none" : status.toString();
        }

        @Override
        public String toString() {
            return reset() ? "RST_STREAM " + resetCode
                    : ":status " + status() + ", grpc-status " + grpcStatus() + ", " + body.length + " bytes";
        }
    }

    /** The connection's GOAWAY: last stream, error code, debug data. */
    public record GoAway(int lastStreamId, long errorCode, String debugData) {
        @Override
        public String toString() {
            return "GOAWAY " + Http2Error.valueOf(errorCode) + " (last stream " + lastStreamId + "): " + debugData;
        }
    }

    /** One request's stream on this connection. */
    public final class Call {
        private final int id;
        private final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private Http2Headers headers;
        private Http2Headers trailers;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        private Call(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        /** Completes when the server ends or resets the stream, or when the client resets it. */
        public CompletableFuture<Answer> answer() {
            return answer;
        }

        /** Sends RST_STREAM CANCEL, as a client does whose deadline passed or whose call was cancelled. */
        public void reset() {
            channel.eventLoop().execute(() -> {
                if (!answer.isDone()) {
                    handler.resetStream(context, id, Http2Error.CANCEL.code(), context.newPromise());
                    channel.flush(); // through the handler, which writes the flow-controlled DATA
                    answer.complete(new Answer(headers, body.toByteArray(), trailers, Http2Error.CANCEL.code()));
                }
            });
        }

        private void headers(Http2Headers received, boolean end) {
            if (headers == null) {
                headers = received;
            } else {
                trailers = received;
            }
            if (end) {
                answer.complete(new Answer(headers, body.toByteArray(), trailers, -1));
            }
        }
    }

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Map<Integer, Call> calls = new ConcurrentHashMap<>();
    private final AtomicReference<GoAway> goAway = new AtomicReference<>();
    private final String authority;
    private final Channel channel;
    private volatile Http2ConnectionHandler handler;
    private volatile ChannelHandlerContext context;

    private RawH2c(URL base, int window) throws InterruptedException {
        authority = base.getHost() + ":" + base.getPort();
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        handler = new Http2ConnectionHandlerBuilder().server(false).frameListener(new Listener())
                                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(window)).build();
                        channel.pipeline().addLast(handler);
                    }
                }).connect(base.getHost(), base.getPort()).sync().channel();
        context = channel.pipeline().context(handler);
        if (window > Http2CodecUtil.DEFAULT_WINDOW_SIZE) {
            // The connection's window too, which SETTINGS does not change: a WINDOW_UPDATE on stream 0.
            channel.eventLoop().submit(() -> {
                Http2Stream connection = handler.connection().connectionStream();
                handler.connection().local().flowController().incrementWindowSize(connection,
                        window - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
                channel.flush();
                return null;
            }).sync();
        }
        channel.closeFuture().addListener(closed -> calls.values().forEach(call -> call.answer
                .completeExceptionally(new IOException("the connection closed before the stream's answer"))));
    }

    /**
     * A connection whose client receives at most HTTP/2's default window (64 KiB) before it acknowledges: an answer
     * larger than what is left of it waits in the server's flow control.
     */
    public static RawH2c connect(URL base) throws InterruptedException {
        return new RawH2c(base, Http2CodecUtil.DEFAULT_WINDOW_SIZE);
    }

    /** A connection whose client offers {@code window} bytes per stream and for the connection, as Go's does (4 MiB). */
    public static RawH2c connect(URL base, int window) throws InterruptedException {
        return new RawH2c(base, window);
    }

    /** A POST's request headers for {@code path}. */
    public Http2Headers post(String path, String contentType) {
        return new DefaultHttp2Headers().method("POST").scheme("http").authority(authority).path(path)
                .add("content-type", contentType);
    }

    /** A unary gRPC call's request headers, with these extra headers (grpc-timeout, say). */
    public Http2Headers grpc(String method, Map<String, String> extra) {
        Http2Headers headers = post("/" + method, "application/grpc").add("te", "trailers");
        extra.forEach(headers::add);
        return headers;
    }

    /** Sends a request's headers and whole body in one flush. */
    public Call send(Http2Headers headers, byte[] body) {
        return send(headers, body, false);
    }

    /** Sends a request's headers and body and, in the same flush, its stream's RST_STREAM CANCEL. */
    public Call sendAndReset(Http2Headers headers, byte[] body) {
        return send(headers, body, true);
    }

    private Call send(Http2Headers headers, byte[] body, boolean reset) {
        CompletableFuture<Call> sent = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            int id = handler.connection().local().incrementAndGetNextStreamId();
            Call call = new Call(id);
            calls.put(id, call);
            handler.encoder().writeHeaders(context, id, headers, 0, false, context.newPromise());
            handler.encoder().writeData(context, id, Unpooled.wrappedBuffer(body), 0, true, context.newPromise());
            if (reset) {
                try {
                    // The body leaves flow control first, so that the reset follows it in the same write.
                    handler.encoder().flowController().writePendingBytes();
                } catch (Http2Exception e) {
                    throw new IllegalStateException(e);
                }
                handler.resetStream(context, id, Http2Error.CANCEL.code(), context.newPromise());
                call.answer.complete(new Answer(null, new byte[0], null, Http2Error.CANCEL.code()));
            }
            channel.flush(); // through the handler, which writes the flow-controlled DATA
            sent.complete(call);
        });
        return sent.join();
    }

    /** The GOAWAY the server sent, if it sent one. */
    public Optional<GoAway> goAway() {
        return Optional.ofNullable(goAway.get());
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private final class Listener extends Http2FrameAdapter {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endStream) {
            Call call = calls.get(streamId);
            if (call != null) {
                call.headers(headers, endStream);
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                short weight, boolean exclusive, int padding, boolean endStream) {
            onHeadersRead(ctx, streamId, headers, padding, endStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            Call call = calls.get(streamId);
            if (call != null) {
                byte[] bytes = new byte[data.readableBytes()];
                data.readBytes(bytes);
                call.body.write(bytes, 0, bytes.length);
                if (endOfStream) {
                    call.answer.complete(new Answer(call.headers, call.body.toByteArray(), null, -1));
                }
            }
            return processed;
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            Call call = calls.get(streamId);
            if (call != null) {
                call.answer.complete(new Answer(call.headers, call.body.toByteArray(), call.trailers, errorCode));
            }
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            goAway.compareAndSet(null, new GoAway(lastStreamId, errorCode, debugData.toString(CharsetUtil.UTF_8)));
        }
    }
}
