/**
 * The transport's gRPC-only parts: the stream guard ({@link GrpcExchanges}, {@link OpenStream}), message encodings
 * ({@link GrpcEncodings}, {@link CompressedCalls}), deadlines ({@link DeadlineInterceptor}), malformed messages
 * ({@link MalformedMessages}) and the client-gone signal ({@link GrpcClientGone}). Their order, the upstream issues
 * they work around and when each can go: the parent package's documentation.
 */
package dev.zeroserve.api.transport.grpc;
