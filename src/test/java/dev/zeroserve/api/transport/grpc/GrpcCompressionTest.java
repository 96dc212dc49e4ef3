package dev.zeroserve.api.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.api.grpc.v2.ModelInferResponse;
import dev.zeroserve.api.transport.Refusals;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcClientTestBase;
import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Compressed gRPC requests: gzip and deflate (which Triton's clients offer) are decoded and answer as an uncompressed
 * call does; an encoding the server cannot decode is answered UNIMPLEMENTED naming the encodings it accepts, as
 * gRPC's compression spec asks, instead of failing INTERNAL.
 */
@QuarkusTest
class GrpcCompressionTest extends GrpcClientTestBase {
    private static final ModelInferRequest REQUEST = BundledModelRequests.grpc(BundledModelRequests.valuesFor(
            BundledModelRequests.tokenIds(8)));

    /** What grpc-java would send for deflate, had it the codec: zlib streams, as Triton's clients write them. */
    private static final Codec DEFLATE = new Codec() {
        @Override
        public String getMessageEncoding() {
            return "deflate";
        }

        @Override
        public OutputStream compress(OutputStream os) {
            return new DeflaterOutputStream(os);
        }

        @Override
        public InputStream decompress(InputStream is) {
            return new InflaterInputStream(is);
        }
    };

    /** An encoding nobody here decodes: its bytes do not matter, the call is refused by its header. */
    private static final Codec SNAPPY = new Codec() {
        @Override
        public String getMessageEncoding() {
            return "snappy";
        }

        @Override
        public OutputStream compress(OutputStream os) {
            return os;
        }

        @Override
        public InputStream decompress(InputStream is) {
            return is;
        }
    };
    private static final Metadata.Key<String> ACCEPT_ENCODING = Metadata.Key.of("grpc-accept-encoding",
            Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void gzipRequestsGetTheSameAnswerAsUncompressedOnes() {
        ModelInferResponse plain = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(REQUEST);
        ModelInferResponse gzip = GRPCInferenceServiceGrpc.newBlockingStub(channel).withCompression("gzip")
                .modelInfer(REQUEST);
        assertThat(gzip.getRawOutputContentsList()).isEqualTo(plain.getRawOutputContentsList());
    }

    @Test
    void deflateRequestsGetTheSameAnswerAsUncompressedOnes() throws InterruptedException {
        ModelInferResponse plain = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(REQUEST);
        ManagedChannel deflating = channelCompressingWith(DEFLATE);
        AtomicReference<Metadata> headers = new AtomicReference<>();
        try {
            ModelInferResponse deflated = GRPCInferenceServiceGrpc.newBlockingStub(deflating)
                    .withCompression("deflate")
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
                    .modelInfer(REQUEST);
            assertThat(deflated).isEqualTo(plain);
            assertThat(headers.get().get(ACCEPT_ENCODING)).isEqualTo("gzip,deflate");
        } finally {
            deflating.shutdownNow();
        }
    }

    @Test
    void anEncodingTheServerCannotDecodeIsUnimplementedWithTheAcceptedOnes() throws InterruptedException {
        ManagedChannel snappy = channelCompressingWith(SNAPPY);
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(snappy).withCompression("snappy")
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
            assertThatThrownBy(() -> stub.modelInfer(REQUEST)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                        assertThat(e.getStatus().getDescription()).isEqualTo("grpc-encoding 'snappy' is not "
                                + "supported; messages may be compressed with gzip or deflate or sent uncompressed");
                    });
            // A trailers-only answer: its one block of headers is the trailers.
            assertThat(trailers.get().get(ACCEPT_ENCODING)).isEqualTo("gzip,deflate");
        } finally {
            snappy.shutdownNow();
        }
        // The server is unharmed.
        assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(REQUEST).getOutputsCount())
                .isPositive();
    }

    private ManagedChannel channelCompressingWith(Codec codec) {
        CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
        compressors.register(codec);
        return ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                .compressorRegistry(compressors)
                .decompressorRegistry(DecompressorRegistry.getDefaultInstance().with(codec, true)).build();
    }

    @Test
    void grpcMessageIsPercentEncoded() {
        assertThat(Refusals.percentEncoded("100% sure: é")).isEqualTo("100%25 sure: %C3%A9");
    }
}
