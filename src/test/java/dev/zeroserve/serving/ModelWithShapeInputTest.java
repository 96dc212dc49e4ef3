package dev.zeroserve.serving;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.Await;
import dev.zeroserve.testing.TestModels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** A model whose shape input refuses the zero-filled warm-up is still served: the failed warm-up only warns. */
@QuarkusTest
@TestProfile(ModelWithShapeInputTest.ReshapeModel.class)
class ModelWithShapeInputTest {
    public static class ReshapeModel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path file = TestModels.reshape().writeTo(TestModels.tempRepository().resolve("reshape").resolve("1")
                    .resolve("model.onnx"));
            return Map.of("zeroserve.model.uri", "file:" + file);
        }
    }

    @Test
    void isReadyAndAnswersRealRequests() {
        Await.modelReady();
        given().contentType(ContentType.JSON).body("{\"inputs\":[{\"name\":\"data\",\"datatype\":\"FP32\",\"shape\":[6],"
                + "\"data\":[1,2,3,4,5,6]},{\"name\":\"shape\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[2,3]}]}")
                .post("/v2/models/reshape/infer").then().statusCode(200)
                .body("outputs[0].shape", contains(2, 3))
                .body("outputs[0].data[5]", equalTo(6.0f));
    }
}
