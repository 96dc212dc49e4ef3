package dev.zeroserve.api.transport;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc;
import dev.zeroserve.api.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import dev.zeroserve.api.grpc.v2.ModelConfigRequest;
import dev.zeroserve.api.grpc.v2.ModelMetadataRequest;
import dev.zeroserve.api.grpc.v2.ModelReadyRequest;
import dev.zeroserve.api.grpc.v2.ModelStatisticsRequest;
import dev.zeroserve.api.grpc.v2.ServerLiveRequest;
import dev.zeroserve.api.grpc.v2.ServerMetadataRequest;
import dev.zeroserve.api.grpc.v2.ServerReadyRequest;
import dev.zeroserve.testing.ApiKeysProfile;
import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.GrpcClientTestBase;
import dev.zeroserve.testing.RawHttp;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Every route and gRPC method against every credential: none, a wrong key, each kind of right key, and a key file
 * rotated while the server runs. Probes stay open; inference takes the API keys; metadata any key; statistics and
 * metrics only the management key.
 */
@QuarkusTest
@TestProfile(ApiKeysProfile.class)
class ApiKeyCheckTest extends GrpcClientTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = BundledModelRequests.MODEL;
    private static final String INFER = "/v2/models/" + MODEL + "/infer";
    private static final long[][] VALUES = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(8));
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);

    enum Group {
        HEALTH, INFERENCE, METADATA, STATISTICS, METRICS
    }

    /** The credentials tried, and the groups each opens. */
    enum Credential {
        NONE(null, Group.HEALTH),
        WRONG("not-a-key", Group.HEALTH),
        API(ApiKeysProfile.API_KEY, Group.HEALTH, Group.INFERENCE, Group.METADATA),
        FILE(ApiKeysProfile.FILE_KEY, Group.HEALTH, Group.INFERENCE, Group.METADATA),
        MANAGEMENT(ApiKeysProfile.MANAGEMENT_KEY, Group.HEALTH, Group.METADATA, Group.STATISTICS, Group.METRICS);

        final String key;
        final List<Group> opens;

        Credential(String key, Group... opens) {
            this.key = key;
            this.opens = List.of(opens);
        }
    }

    private record RestRoute(Group group, String method, String path, String contentType, byte[] body) {
    }

    private record GrpcMethod(Group group, String name, Function<GRPCInferenceServiceBlockingStub, Object> call) {
    }

    private static List<RestRoute> restRoutes() {
        byte[] json = BundledModelRequests.json(VALUES).getBytes(StandardCharsets.UTF_8);
        byte[] embeddings = ("{\"model\":\"" + MODEL + "\",\"input\":\"a key to the door\"}")
                .getBytes(StandardCharsets.UTF_8);
        List<RestRoute> routes = new ArrayList<>();
        for (String probe : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started",
                "/v2/health/live", "/v2/health/ready")) {
            routes.add(new RestRoute(Group.HEALTH, "GET", probe, null, null));
        }
        routes.add(new RestRoute(Group.INFERENCE, "POST", INFER, "application/json", json));
        routes.add(new RestRoute(Group.INFERENCE, "POST", "/v2/models/" + MODEL + "/versions/1/infer",
                "application/json", json));
        routes.add(new RestRoute(Group.INFERENCE, "POST", "/v1/embeddings", "application/json", embeddings));
        routes.add(new RestRoute(Group.INFERENCE, "GET", "/v2/repository/index", null, null));
        for (String metadata : List.of("/v2", "/v2/models/" + MODEL, "/v2/models/" + MODEL + "/versions/1",
                "/v2/models/" + MODEL + "/ready", "/v1/models", "/v1/models/" + MODEL)) {
            routes.add(new RestRoute(Group.METADATA, "GET", metadata, null, null));
        }
        for (String statistics : List.of("/v2/models/stats", "/v2/models/" + MODEL + "/stats",
                "/v2/models/" + MODEL + "/config", "/v2/models/" + MODEL + "/versions/1/config")) {
            routes.add(new RestRoute(Group.STATISTICS, "GET", statistics, null, null));
        }
        routes.add(new RestRoute(Group.METRICS, "GET", "/q/metrics", null, null));
        return routes;
    }

    private static List<GrpcMethod> grpcMethods() {
        return List.of(
                new GrpcMethod(Group.HEALTH, "ServerLive", stub -> stub.serverLive(ServerLiveRequest.getDefaultInstance())),
                new GrpcMethod(Group.HEALTH, "ServerReady",
                        stub -> stub.serverReady(ServerReadyRequest.getDefaultInstance())),
                new GrpcMethod(Group.METADATA, "ServerMetadata",
                        stub -> stub.serverMetadata(ServerMetadataRequest.getDefaultInstance())),
                new GrpcMethod(Group.METADATA, "ModelMetadata",
                        stub -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build())),
                new GrpcMethod(Group.METADATA, "ModelReady",
                        stub -> stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build())),
                new GrpcMethod(Group.STATISTICS, "ModelConfig",
                        stub -> stub.modelConfig(ModelConfigRequest.newBuilder().setName(MODEL).build())),
                new GrpcMethod(Group.STATISTICS, "ModelStatistics",
                        stub -> stub.modelStatistics(ModelStatisticsRequest.newBuilder().setName(MODEL).build())),
                new GrpcMethod(Group.INFERENCE, "ModelInfer",
                        stub -> stub.modelInfer(BundledModelRequests.grpc(VALUES))),
                // Compressed calls are relayed over the server's own port: the relay must not open a way around.
                new GrpcMethod(Group.INFERENCE, "ModelInfer (gzip, relayed)",
                        stub -> stub.withCompression("gzip").modelInfer(BundledModelRequests.grpc(VALUES))));
    }

    @Test
    void everyRestRouteAnswersOnlyTheKeysOfItsGroup() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Credential credential : Credential.values()) {
            for (RestRoute route : restRoutes()) {
                Response response = send(route, credential.key);
                boolean refused = response.statusCode() == 401;
                if (refused == credential.opens.contains(route.group())) {
                    wrong.add(credential + " " + route.method() + " " + route.path() + " -> " + response.statusCode());
                }
                if (refused) {
                    assertRefusal(route.path(), response, credential);
                }
            }
        }
        assertThat(wrong).as("routes answered against their group's keys").isEmpty();
        String metrics = send(new RestRoute(Group.METRICS, "GET", "/q/metrics", null, null),
                ApiKeysProfile.MANAGEMENT_KEY).asString();
        assertThat(metrics).containsPattern("zeroserve_auth_refusals_total\\{group=\"inference\",reason=\"missing\"\\} "
                + "[1-9]").containsPattern("zeroserve_auth_refusals_total\\{group=\"metrics\",reason=\"wrong\"\\} [1-9]");
    }

    @Test
    void everyGrpcMethodAnswersOnlyTheKeysOfItsGroup() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Credential credential : Credential.values()) {
            GRPCInferenceServiceBlockingStub stub = withKey(GRPCInferenceServiceGrpc.newBlockingStub(channel),
                    credential.key);
            for (GrpcMethod method : grpcMethods()) {
                String code = "OK";
                try {
                    method.call().apply(stub);
                } catch (StatusRuntimeException e) {
                    code = e.getStatus().getCode().name();
                    if (code.equals("UNAUTHENTICATED")) {
                        assertThat(e.getStatus().getDescription()).doesNotContain(ApiKeysProfile.API_KEY,
                                ApiKeysProfile.MANAGEMENT_KEY);
                    }
                }
                if (code.equals("UNAUTHENTICATED") == credential.opens.contains(method.group())) {
                    wrong.add(credential + " " + method.name() + " -> " + code);
                }
            }
            String health = "OK";
            try {
                withKey(HealthGrpc.newBlockingStub(channel), credential.key).check(HealthCheckRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                health = e.getStatus().getCode().name();
            }
            if (!health.equals("OK")) {
                wrong.add(credential + " grpc.health.v1.Health/Check -> " + health);
            }
        }
        assertThat(wrong).as("gRPC methods answered against their group's keys").isEmpty();
    }

    /** The 401 comes from the headers alone: the 64 MiB the request declares are never sent, let alone read. */
    @Test
    void anUnauthenticatedMaximumSizeUploadIsRefusedBeforeItsBodyIsRead() throws Exception {
        RawHttp.RawResponse response = RawHttp.postHeadersOnly(base, INFER, 64L << 20);
        assertThat(response.head()).startsWith("HTTP/1.1 401").containsIgnoringCase("WWW-Authenticate: Bearer");
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("API key is required");
    }

    @Test
    void aRotatedKeyFileTakesEffectWhileTheServerRuns() throws Exception {
        RestRoute infer = restRoutes().stream().filter(route -> route.path().equals(INFER)).findFirst().orElseThrow();
        try {
            ApiKeysProfile.writeKeys("file-key-2, file-key-3\n");
            Await.until(Duration.ofSeconds(10), () -> send(infer, "file-key-2").statusCode() == 200);
            assertThat(send(infer, "file-key-3").statusCode()).isEqualTo(200);
            assertThat(send(infer, ApiKeysProfile.FILE_KEY).statusCode()).isEqualTo(401);
            assertThat(send(infer, ApiKeysProfile.API_KEY).statusCode()).as("configured keys stay").isEqualTo(200);

            // A Secret caught empty, mid-update, keeps the keys in force rather than opening the service.
            ApiKeysProfile.writeKeys("\n");
            Thread.sleep(500);
            assertThat(send(infer, "file-key-2").statusCode()).isEqualTo(200);
            assertThat(send(infer, null).statusCode()).isEqualTo(401);
        } finally {
            ApiKeysProfile.writeKeys(ApiKeysProfile.FILE_KEY + "\n");
            Await.until(Duration.ofSeconds(10), () -> send(infer, ApiKeysProfile.FILE_KEY).statusCode() == 200);
        }
    }

    private void assertRefusal(String path, Response response, Credential credential) throws Exception {
        assertThat(response.header("WWW-Authenticate")).isEqualTo(credential == Credential.NONE ? "Bearer"
                : "Bearer error=\"invalid_token\"");
        assertThat(response.asString()).doesNotContain(ApiKeysProfile.API_KEY, ApiKeysProfile.MANAGEMENT_KEY,
                ApiKeysProfile.FILE_KEY);
        JsonNode error = JSON.readTree(response.asString()).get("error");
        if (path.startsWith("/v1/")) {
            assertThat(error.get("message").asText()).contains("API key");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        } else {
            assertThat(error.asText()).contains("API key");
        }
    }

    private Response send(RestRoute route, String key) {
        RequestSpecification request = given().baseUri(base.toString());
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (route.body() != null) {
            request.contentType(route.contentType()).body(route.body());
        }
        return request.request(route.method(), route.path());
    }

    private static <S extends io.grpc.stub.AbstractStub<S>> S withKey(S stub, String key) {
        if (key == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + key);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
