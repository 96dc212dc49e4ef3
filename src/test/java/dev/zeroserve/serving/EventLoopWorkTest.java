package dev.zeroserve.serving;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnxruntime.OrtSession;
import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.DirectOnnxRuntime;
import dev.zeroserve.testing.GrpcClientTestBase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Requests decoded and answered on their event loop, and those whose body or answer is larger than
 * {@link EventLoopWork#INLINE_BYTES} and go to a worker thread, get the answers ONNX Runtime computes directly.
 */
@QuarkusTest
class EventLoopWorkTest extends GrpcClientTestBase {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String INFER = "/v2/models/" + BundledModelRequests.MODEL + "/infer";
    /** 300 tokens: 300 × 384 floats, 460,800 bytes of last_hidden_state, more than the inline bound. */
    private static final long[] LONG_SEQUENCE = BundledModelRequests.tokenIds(300);
    private static OrtSession direct;

    @BeforeAll
    static void openDirectSession() throws Exception {
        direct = DirectOnnxRuntime.openBundledModel();
    }

    @AfterAll
    static void closeDirectSession() throws Exception {
        direct.close();
    }

    @Test
    void aBodyLargerThanTheInlineBoundIsDecodedOffTheEventLoopAlike() throws Exception {
        Await.modelReady();
        long[] tokens = DirectOnnxRuntime.TOKENS_16;
        String compact = BundledModelRequests.json(BundledModelRequests.valuesFor(tokens));
        // JSON allows whitespace between values: the same request in a body over the bound.
        String padded = compact.replaceFirst("\\{", "{" + " ".repeat((int) EventLoopWork.INLINE_BYTES));
        assertThat(padded.length()).isGreaterThan((int) EventLoopWork.INLINE_BYTES);
        float[] expected = DirectOnnxRuntime.lastHiddenState(direct, tokens);
        assertThat(jsonOutput(compact)).containsExactly(expected);
        assertThat(jsonOutput(padded)).containsExactly(expected);
    }

    @Test
    void anAnswerLargerThanTheInlineBoundIsEncodedOffTheEventLoopAlike() throws Exception {
        Await.modelReady();
        float[] expected = DirectOnnxRuntime.lastHiddenState(direct, LONG_SEQUENCE);
        assertThat(expected.length * (long) Float.BYTES).isGreaterThan(EventLoopWork.INLINE_BYTES);
        long[][] values = BundledModelRequests.valuesFor(LONG_SEQUENCE);
        assertThat(jsonOutput(BundledModelRequests.json(values))).containsExactly(expected);
        ByteBuffer raw = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(BundledModelRequests.grpc(values))
                .getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] grpc = new float[raw.remaining() / Float.BYTES];
        raw.asFloatBuffer().get(grpc);
        assertThat(grpc).containsExactly(expected);
    }

    private static float[] jsonOutput(String body) throws Exception {
        String answer = given().contentType(ContentType.JSON).body(body).post(INFER).then().statusCode(200)
                .extract().asString();
        JsonNode data = MAPPER.readTree(answer).path("outputs").get(0).path("data");
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).floatValue();
        }
        return values;
    }
}
