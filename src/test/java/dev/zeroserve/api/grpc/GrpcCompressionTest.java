package dev.zeroserve.api.grpc;

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
 * Compressed gRPC requests: gzip is decoded and answers as an uncompressed call does; an encoding the server cannot
 * decode (deflate, which tritonclient offers) is answered UNIMPLEMENTED naming the encodings it accepts, as gRPC's
 * compression spec asks, instead of failing INTERNAL.
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

    @Test
    void gzipRequestsGetTheSameAnswerAsUncompressedOnes() {
        ModelInferResponse plain = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(REQUEST);
        ModelInferResponse gzip = GRPCInferenceServiceGrpc.newBlockingStub(channel).withCompression("gzip")
                .modelInfer(REQUEST);
        assertThat(gzip.getRawOutputContentsList()).isEqualTo(plain.getRawOutputContentsList());
    }

    @Test
    void anEncodingTheServerCannotDecodeIsUnimplementedWithTheAcceptedOnes() throws InterruptedException {
        CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
        compressors.register(DEFLATE);
        ManagedChannel deflating = ManagedChannelBuilder.forAddress(base.getHost(), base.getPort()).usePlaintext()
                .compressorRegistry(compressors)
                .decompressorRegistry(DecompressorRegistry.getDefaultInstance().with(DEFLATE, true)).build();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        try {
            var stub = GRPCInferenceServiceGrpc.newBlockingStub(deflating).withCompression("deflate")
                    .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
            assertThatThrownBy(() -> stub.modelInfer(REQUEST)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
                        assertThat(e.getStatus().getDescription()).isEqualTo("grpc-encoding 'deflate' is not "
                                + "supported; messages may be compressed with gzip or sent uncompressed");
                    });
            assertThat(headers.get().get(Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER)))
                    .isEqualTo("gzip");
        } finally {
            deflating.shutdownNow();
        }
        // The server is unharmed.
        assertThat(GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(REQUEST).getOutputsCount())
                .isPositive();
    }

    @Test
    void grpcMessageIsPercentEncoded() {
        assertThat(GrpcEncodings.percentEncoded("100% sure: é")).isEqualTo("100%25 sure: %C3%A9");
    }
}
