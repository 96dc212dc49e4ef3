/**
 * What the transport does before any protocol adapter sees a request, for REST and gRPC alike, and every work-around
 * of Vert.x's and Quarkus's transport behaviour, in one place; what concerns gRPC calls only is in {@code grpc}. The
 * adapters ({@code api.rest}, {@code api.grpc}, {@code api.openai}) use it through {@link RequestBodies},
 * {@link HttpClientGone}, {@link InFlightBudget} and the {@code grpc} package's {@code GrpcExchanges},
 * {@code GrpcClientGone}, {@code DeadlineInterceptor} and {@code MalformedMessages}.
 * <p>
 * <b>Order.</b> Every handler here runs at an order written down once, in {@link TransportOrder}: API keys, open
 * exchanges, body size, in-flight budget, content codings, gRPC exchanges, gRPC encodings (HTTP routes and filters),
 * then the gRPC interceptors (the stream guard, deadlines, malformed messages).
 * <p>
 * <b>Policies</b> (what this server decides, not a framework's defect): {@link ApiKeyCheck} with {@link ApiKeys},
 * {@link KeySet}, {@link RouteGroups} (401 before the body is read); {@link InFlightBudget} with {@link Reservation}
 * (bytes held by requests in flight); {@link Refusals} (each protocol's error shape); {@link RequestSizeLimit} (413 in
 * the API's error shape; Quarkus's own is empty); {@link HttpClientGone} and {@code grpc.GrpcClientGone} (a client
 * that went away leaves the queue unrun, {@code BackpressureIntegrationTest}).
 * <p>
 * <b>Work-arounds</b>, each with the upstream issue (searched on GitHub 2026-12-07; "none filed" where none was
 * found), the test that proves it, the condition for deleting it, and the last check against upstream
 * (Quarkus 3.33.2, Vert.x 4.5.27, vertx-grpc 4.5.31, Netty 4.1.137). docs/architecture.md holds the same table.
 * <table>
 * <caption>Transport work-arounds</caption>
 * <tr><th>Class</th><th>Fixes</th><th>Upstream</th><th>Proved by</th><th>Delete when</th></tr>
 * <tr><td>{@code grpc.GrpcExchanges}, {@code grpc.OpenStream}</td>
 * <td>A late answer (or trailers still in flow control) to a gRPC call its client reset cuts the whole HTTP/2
 * connection: GOAWAY PROTOCOL_ERROR for every other call on it.</td>
 * <td>quarkusio/quarkus#56268, eclipse-vertx/vert.x#5562, eclipse-vertx/vertx-grpc#370; the void-promise close
 * itself: none filed (text to file in docs/transport-workarounds-reset.md)</td>
 * <td>{@code GrpcResetStreamsTest} (fails with the guard off: 20 of 20 raw connections cut, 2026-12-07)</td>
 * <td>Vert.x writes trailers with real promises (or ignores stream-level write failures) and cancels a unary call
 * on any reset; then {@code GrpcResetStreamsTest} passes without them.</td></tr>
 * <tr><td>{@code grpc.GrpcEncodings}, {@code grpc.CompressedCalls}</td>
 * <td>Vert.x's gRPC server decodes only gzip (grpc-java's fixed default registry; a deflate call from Triton's
 * clients fails), inflates a gzip message whole with no bound (a 1 MiB message inflating to 1 GiB ended the
 * process), and fails an unknown encoding INTERNAL. Here: gzip and deflate inflated within the message limit and the
 * in-flight budget and relayed uncompressed; others UNIMPLEMENTED.</td>
 * <td>eclipse-vertx/vertx-grpc#67 (open: no other decompressor can be given); the unbounded gzip: none filed</td>
 * <td>{@code GrpcCompressionTest}, {@code HostileInputTest} (gRPC gzip and deflate cases), {@code HostileMemoryIT},
 * {@code GrpcResetStreamsTest.deflateCallsResetInFlightEndOnlyThemselves}, {@code CompressedCallsTest}</td>
 * <td>The bridge takes a decompressor registry and stops inflating at the inbound message limit. Re-check: let
 * {@code GrpcEncodings} pass gzip and deflate to Vert.x and run {@code HostileInputTest} and
 * {@code GrpcCompressionTest}. Done 2026-12-07 on vertx-grpc 4.5.31: the 65 MiB gzip bomb was inflated whole
 * (INVALID_ARGUMENT "invalid tag (zero)" instead of RESOURCE_EXHAUSTED at 64 MiB), every deflate call failed
 * ("the request ended before a whole message"), two deflate messages were never answered: kept.</td></tr>
 * <tr><td>{@code grpc.DeadlineInterceptor}</td>
 * <td>gRPC served by Vert.x does not turn {@code grpc-timeout} into the call's {@code Context} deadline.</td>
 * <td>eclipse-vertx/vertx-grpc#78 (deadlines in the bridge, for Vert.x 5)</td>
 * <td>{@code GrpcBundledModelTest.aRequestWhoseDeadlineHasPassedIsNotRun},
 * {@code DeadlineInterceptorTest}</td>
 * <td>Quarkus runs on a Vert.x whose bridge sets {@code Context.current().getDeadline()}: the interceptor goes and
 * {@code deadlineNanos} reads the context alone.</td></tr>
 * <tr><td>{@code grpc.MalformedMessages}</td>
 * <td>Vert.x's gRPC bridge drops a message that fails to parse, or a last frame shorter than its length prefix,
 * without a word: INTERNAL "Half-closed without a request", or no answer at all. Here: INVALID_ARGUMENT with
 * protobuf's reason.</td>
 * <td>none filed</td>
 * <td>{@code HostileInputTest} (the framed gRPC cases)</td>
 * <td>The bridge answers an unparsable message with a status that carries the reason; remove the
 * {@code @RegisterInterceptor} and run {@code HostileInputTest}.</td></tr>
 * <tr><td>{@link RequestBodies}, {@link ContentEncodings}</td>
 * <td>With {@code quarkus.http.enable-decompression}, Netty closes the connection on a corrupt gzip body without an
 * answer and inflates a bomb without bound. Here: 400 naming the coding, 413 once the body inflates past
 * {@code max-body-size}, 415 for unknown codings.</td>
 * <td>none filed (quarkusio/quarkus#54306 documents the decompressor, no bound)</td>
 * <td>{@code HostileInputTest} (the REST compressed cases)</td>
 * <td>Vert.x's decompressor answers a corrupt body 400 and bounds the inflated body by {@code max-body-size}.</td></tr>
 * <tr><td>{@link OpenExchanges}</td>
 * <td>Quarkus's drain ({@code quarkus.shutdown.timeout}) sends GOAWAY only on a connection that carries a request
 * after the shutdown began, and Vert.x 4.5's {@code HttpServer.close()} has no grace: an answer still waiting for the
 * client's flow-control window is cut. Here: the drain waits for every exchange begun before it, then shuts every
 * HTTP/2 connection down gracefully (GOAWAY, last streams finish).</td>
 * <td>quarkusio/quarkus#50625 (fixed by #50975, in 3.33.2: no 503, GOAWAY after the responses to requests that
 * arrive during the shutdown), quarkusio/quarkus#53320; a graceful {@code HttpServer.shutdown} exists only in
 * Vert.x 5: none filed for 4.5</td>
 * <td>{@code GracefulDrainIT}, {@code RefusedBodyTest}</td>
 * <td>Quarkus on Vert.x 5 shuts every connection down gracefully at stop. Re-check: make {@code open()} 0 and
 * {@code closeHttp2Connections} a no-op, set {@code quarkus.shutdown.timeout}, run {@code GracefulDrainIT}.
 * Re-checked 2026-12-07 ({@code GracefulDrainIT}, SIGTERM under REST and gRPC load): with this class 50 of 50
 * requests sent before the signal succeeded; with {@code open()} 0, {@code closeHttp2Connections} a no-op and
 * {@code quarkus.shutdown.timeout=30S}, Quarkus's drain alone passed too (54 of 54). The test holds no answer in
 * flow control, the case Quarkus's drain still cuts by its source: its request count falls at {@code end()}
 * ({@code Http2ServerResponse.write} runs the end handler once the data is queued, not sent), and
 * {@code HttpServer.close()} follows. Kept; a drain test with a client that withholds its window would settle
 * it.</td></tr>
 * </table>
 */
package dev.zeroserve.api.transport;
