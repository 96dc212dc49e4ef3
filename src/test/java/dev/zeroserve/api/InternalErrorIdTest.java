package dev.zeroserve.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.ModelInferRequest;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.EmbeddingsProfiles;
import dev.zeroserve.testing.GrpcClientTestBase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A model whose every execution fails on the server's side ({@code TestModels.failingMixer()}): each protocol
 * answers with an error id alone, and the log holds that id once, at ERROR, with what failed.
 */
@QuarkusTest
@TestProfile(EmbeddingsProfiles.FailingModel.class)
class InternalErrorIdTest extends GrpcClientTestBase {
    private static final String MODEL = EmbeddingsProfiles.FAILING_MIXER;
    private static final Pattern ANSWER = Pattern.compile(
            "internal error, id ([0-9a-f]{16}); the server log has the details");
    /** What the server knows of the failure, which stays in its log. */
    private static final String DETAIL = "cannot be reshaped";

    private static final List<LogRecord> ERRORS = Collections.synchronizedList(new ArrayList<>());
    private static final Handler ERROR_COLLECTOR = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                ERRORS.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void collectErrors() {
        java.util.logging.Logger.getLogger("").addHandler(ERROR_COLLECTOR);
    }

    @AfterAll
    static void stopCollecting() {
        java.util.logging.Logger.getLogger("").removeHandler(ERROR_COLLECTOR);
    }

    @BeforeEach
    void forgetEarlierErrors() {
        ERRORS.clear();
    }

    @Test
    void aRestClientGetsAnErrorIdOnly() {
        Response response = given().contentType(ContentType.JSON)
                .body(BundledModelRequests.json(BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(4))))
                .post("/v2/models/" + MODEL + "/infer");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(500);
        assertLoggedOnce(idIn(response.jsonPath().getString("error")));
    }

    @Test
    void aGrpcClientGetsAnErrorIdOnly() {
        ModelInferRequest request = BundledModelRequests.grpc(BundledModelRequests.valuesFor(
                BundledModelRequests.tokenIds(4))).toBuilder().setModelName(MODEL).build();
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class,
                () -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request));
        assertThat(failure.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertLoggedOnce(idIn(failure.getStatus().getDescription()));
    }

    @Test
    void anEmbeddingsClientGetsAnErrorIdOnlyInOpenAisShape() {
        Response response = given().contentType(ContentType.JSON)
                .body("{\"model\":\"" + MODEL + "\",\"input\":\"hello world\"}").post("/v1/embeddings");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(500);
        assertThat(response.jsonPath().getString("error.type")).isEqualTo("server_error");
        assertLoggedOnce(idIn(response.jsonPath().getString("error.message")));
    }

    @Test
    void aClientsMistakeStillNamesWhatWasWrong() {
        assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(
                ModelInferRequest.newBuilder().setModelName("no-such-model").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getDescription())
                        .contains("no-such-model").doesNotContain("error, id"));
        assertThat(ERRORS).isEmpty();
    }

    /** The error id of a message that must hold nothing else. */
    private static String idIn(String message) {
        Matcher answer = ANSWER.matcher(String.valueOf(message));
        assertThat(answer.matches()).as("the client's message: %s", message).isTrue();
        return answer.group(1);
    }

    private static void assertLoggedOnce(String id) {
        List<LogRecord> naming = ERRORS.stream().filter(record -> message(record).contains(id)).toList();
        assertThat(naming).as("ERROR records naming %s among %s", id, ERRORS).hasSize(1);
        assertThat(String.valueOf(naming.get(0).getThrown())).contains(DETAIL);
    }

    private static String message(LogRecord record) {
        return record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : String.valueOf(record.getMessage());
    }
}
