package dev.zeroserve.api.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.InferenceException;
import dev.zeroserve.inference.InferenceRequest;
import dev.zeroserve.inference.InferenceResponse;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.inference.ModelMetadata;
import dev.zeroserve.inference.TensorSpec;

class JsonInferenceCodecTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static InferenceRequest decode(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return JsonInferenceCodec.decodeRequest(body, body.length, "m", null, 1_000_000);
    }

    private static Tensor decodeOne(String datatype, String shape, String data) {
        return decode("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"" + datatype + "\",\"shape\":" + shape
                + ",\"data\":" + data + "}]}").inputs().get(0);
    }

    /** Decodes, re-encodes as a response, and returns the response's data array. */
    private static JsonNode roundTrip(Tensor tensor) throws Exception {
        byte[] json = JsonInferenceCodec.encodeResponse(new InferenceResponse("m", "1", "id-1", List.of(tensor)),
                decode("{\"inputs\":[]}")).body().getBytes();
        JsonNode output = MAPPER.readTree(json).get("outputs").get(0);
        assertThat(output.get("datatype").asText()).isEqualTo(tensor.dataType().name());
        return output.get("data");
    }

    @Test
    void everyDataTypeRoundTripsWithLittleEndianLayout() throws Exception {
        record Case(DataType type, String data, byte[] firstBytes) {
        }
        List<Case> cases = List.of(
                new Case(DataType.BOOL, "[true,false,true]", new byte[] { 1, 0, 1 }),
                new Case(DataType.UINT8, "[255,0,7]", new byte[] { (byte) 0xFF, 0, 7 }),
                new Case(DataType.UINT16, "[65535,258,0]", new byte[] { (byte) 0xFF, (byte) 0xFF, 2, 1 }),
                new Case(DataType.UINT32, "[4294967295,1,2]", new byte[] { -1, -1, -1, -1, 1, 0, 0, 0 }),
                new Case(DataType.UINT64, "[18446744073709551615,1,2]", new byte[] { -1, -1, -1, -1, -1, -1, -1, -1 }),
                new Case(DataType.INT8, "[-128,127,0]", new byte[] { (byte) 0x80, 0x7F, 0 }),
                new Case(DataType.INT16, "[-2,258,0]", new byte[] { (byte) 0xFE, (byte) 0xFF, 2, 1 }),
                new Case(DataType.INT32, "[-2147483648,2147483647,1]", new byte[] { 0, 0, 0, (byte) 0x80 }),
                new Case(DataType.INT64, "[-9223372036854775808,9223372036854775807,1]",
                        new byte[] { 0, 0, 0, 0, 0, 0, 0, (byte) 0x80 }),
                new Case(DataType.FP16, "[1.0,-2.0,65504.0]", new byte[] { 0x00, 0x3C, 0x00, (byte) 0xC0 }),
                new Case(DataType.BF16, "[1.0,-2.0,0.5]", new byte[] { (byte) 0x80, 0x3F, 0x00, (byte) 0xC0 }),
                new Case(DataType.FP32, "[1.5,-0.1,3.4028235E38]", new byte[] { 0, 0, (byte) 0xC0, 0x3F }),
                new Case(DataType.FP64, "[1.5,-0.1,1.7976931348623157E308]", new byte[] { 0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x3F }),
                new Case(DataType.BYTES, "[\"héllo\",\"\",\"✓\"]", new byte[] { 6, 0, 0, 0, 'h', (byte) 0xC3, (byte) 0xA9 }));
        for (Case c : cases) {
            Tensor tensor = decodeOne(c.type().name(), "[3]", c.data());
            ByteBuffer data = tensor.data();
            for (int i = 0; i < c.firstBytes().length; i++) {
                assertThat(data.get(i)).as("%s byte %d", c.type(), i).isEqualTo(c.firstBytes()[i]);
            }
            assertThat(roundTrip(tensor).toString()).as(c.type().name())
                    .isEqualTo(MAPPER.readTree(c.data()).toString());
        }
    }

    @Test
    void nestedAndFlatDataDecodeToTheSameBuffer() {
        Tensor flat = decodeOne("FP32", "[2,3]", "[1,2,3,4,5,6]");
        Tensor nested = decodeOne("FP32", "[2,3]", "[[1,2,3],[4,5,6]]");
        assertThat(nested.data()).isEqualTo(flat.data());
        assertThat(nested.shape()).containsExactly(2, 3);
        assertThat(nested.data().getFloat(5 * 4)).isEqualTo(6f);
    }

    @Test
    void dataBeforeShapeAndDatatypeIsAccepted() {
        Tensor tensor = decode("{\"inputs\":[{\"data\":[[7,8]],\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"INT32\"}]}")
                .inputs().get(0);
        assertThat(tensor.data().getInt(4)).isEqualTo(8);
    }

    @Test
    void fp16ConvertsToTheNearestHalfAndBack() throws Exception {
        Tensor tensor = decodeOne("FP16", "[4]", "[0.1, 65519, 1e-8, \"NaN\"]");
        assertThat(tensor.data().getShort(0)).isEqualTo((short) 0x2E66);
        assertThat(tensor.data().getShort(2)).isEqualTo((short) 0x7BFF);
        assertThat(tensor.data().getShort(4)).isEqualTo((short) 0);
        JsonNode back = roundTrip(tensor);
        assertThat(back.get(0).floatValue()).isEqualTo(0.099975586f);
        assertThat(back.get(3).asText()).isEqualTo("NaN");
    }

    @Test
    void nonFiniteFloatsTravelAsStrings() throws Exception {
        Tensor tensor = decodeOne("FP32", "[3]", "[\"NaN\",\"Infinity\",\"-Infinity\"]");
        assertThat(tensor.data().getFloat(4)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(roundTrip(tensor).toString()).isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
    }

    @Test
    void requestFieldsAreKept() {
        InferenceRequest request = decode("{\"id\":\"abc\",\"parameters\":{\"s\":\"v\",\"n\":3,\"f\":0.5,\"b\":true},"
                + "\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT8\",\"shape\":[],\"data\":[4],\"parameters\":{\"p\":1}}],"
                + "\"outputs\":[{\"name\":\"y\",\"parameters\":{\"k\":false}}]}");
        assertThat(request.id()).isEqualTo("abc");
        assertThat(request.parameters()).containsEntry("s", "v").containsEntry("n", 3).containsEntry("f", 0.5)
                .containsEntry("b", true);
        assertThat(request.inputs().get(0).shape()).isEmpty();
        assertThat(request.outputs()).singleElement().satisfies(o -> {
            assertThat(o.name()).isEqualTo("y");
            assertThat(o.parameters()).containsEntry("k", false);
        });
    }

    @Test
    void floatOutputsAreWrittenInPlaceBetweenTheOthers() {
        // Float arrays are written into the body beside Jackson's generator: the text must come out whole and in order.
        InferenceResponse response = new InferenceResponse("m", "1", null, List.of(
                decodeOne("FP32", "[3]", "[0.5,-1e-8,\"NaN\"]"), decodeOne("INT64", "[2]", "[1,2]"),
                decodeOne("BF16", "[1]", "[2.5]"), decodeOne("FP32", "[0]", "[]")));
        byte[] body = JsonInferenceCodec.encodeResponse(response, decode("{\"inputs\":[]}")).body().getBytes();
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"model_name\":\"m\",\"model_version\":\"1\","
                + "\"outputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3],\"data\":[0.5,-1.0E-8,\"NaN\"]},"
                + "{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[2],\"data\":[1,2]},"
                + "{\"name\":\"x\",\"datatype\":\"BF16\",\"shape\":[1],\"data\":[2.5]},"
                + "{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[0],\"data\":[]}]}");
    }

    @Test
    void anEmptyFloatOutputAfterABodyThatFilledItsBufferIsWhole() throws Exception {
        // A long id (the client's) fills the body's first estimate, so the empty array's "]" needs room of its own.
        for (int idLength = 300; idLength < 700; idLength++) {
            String id = "i".repeat(idLength);
            InferenceResponse response = new InferenceResponse("m", "1", id, List.of(decodeOne("FP32", "[0]", "[]")));
            JsonNode json = MAPPER.readTree(JsonInferenceCodec.encodeResponse(response, decode("{\"inputs\":[]}"))
                    .body().getBytes());
            assertThat(json.get("id").asText()).isEqualTo(id);
            assertThat(json.get("outputs").get(0).get("data").size()).isZero();
        }
    }

    @Test
    void aLargeFloatOutputGrowsTheBodyAndReadsBack() throws Exception {
        int count = 100_000; // past the body's first estimate of 13 bytes a value: "-1.2345678E-20," is 15
        ByteBuffer data = ByteBuffer.allocate(count * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            data.putFloat(i * 4, -1.2345678e-20f * (i + 1));
        }
        Tensor tensor = Tensor.of("y", DataType.FP32, new long[] { count }, data);
        JsonNode values = roundTrip(tensor);
        assertThat(values.size()).isEqualTo(count);
        for (int i = 0; i < count; i += 997) {
            assertThat(values.get(i).floatValue()).isEqualTo(-1.2345678e-20f * (i + 1));
        }
    }

    @Test
    void responseEchoesIdAndVersion() throws Exception {
        JsonNode json = MAPPER.readTree(JsonInferenceCodec.encodeResponse(new InferenceResponse("m", "2", "req-9",
                List.of(decodeOne("INT32", "[1,2]", "[1,2]"))), decode("{\"inputs\":[]}")).body().getBytes());
        assertThat(json.get("model_name").asText()).isEqualTo("m");
        assertThat(json.get("model_version").asText()).isEqualTo("2");
        assertThat(json.get("id").asText()).isEqualTo("req-9");
        assertThat(json.get("outputs").get(0).get("shape").toString()).isEqualTo("[1,2]");
    }

    @Test
    void badInputsAreRejectedNamingTheProblem() {
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[3],\"data\":[1,2]}]}",
                "input 'x'", "2 elements", "holds 3");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1,2]}]}",
                "input 'x'", "more than the 1 elements");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"UINT8\",\"shape\":[1],\"data\":[256]}]}",
                "input 'x'", "(256) is out of range for UINT8");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"INT64\",\"shape\":[1],\"data\":[1e3]}]}",
                "input 'x'", "INT64 needs an integer");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"BOOL\",\"shape\":[1],\"data\":[1]}]}",
                "BOOL needs true or false");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[\"a\"]}]}",
                "the string \"a\"", "FP32 needs a number");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FLOAT32\",\"shape\":[1],\"data\":[1]}]}",
                "input 'x'", "unknown datatype 'FLOAT32'");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1],\"data\":[1]}]}",
                "input 'x'", "negative");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[4294967296,4294967296,4294967296],"
                + "\"data\":[1]}]}", "input 'x'", "more elements than a 64-bit count");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1000001],\"data\":[1]}]}",
                "input 'x'", "zeroserve.limits.max-elements");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[900000],\"data\":[1]}]}",
                "input 'x'", "more than a request body of");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1.5],\"data\":[1]}]}",
                "input 'x'", "not a 64-bit integer");
        assertInvalid("{\"inputs\":[{\"datatype\":\"FP32\",\"shape\":[1],\"data\":[1]}]}", "input 0 has no 'name'");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"data\":[1]}]}", "input 'x' has no 'datatype'");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"data\":[1]}]}", "input 'x' has no 'shape'");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1]}]}", "input 'x' has no 'data' and no binary_data_size");
        assertInvalid("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[2],\"data\":[1,{}]}]}",
                "element 1", "an object");
        assertInvalid("{\"inputs\":{}}", "'inputs' must be an array");
        assertInvalid("{}", "no 'inputs'");
        assertInvalid("[1]", "must be a JSON object");
        assertInvalid("{\"inputs\":[", "malformed JSON");
        assertInvalid("{\"id\":5,\"inputs\":[]}", "'id' must be a string");
        assertInvalid("{\"parameters\":{\"p\":[1]},\"inputs\":[]}", "parameter 'p'", "string, number or boolean");
        assertInvalid("{\"inputs\":[],\"outputs\":[{}]}", "output 0 has no 'name'");
    }

    @Test
    void rawBinaryRequestsSizeTheDynamicDimensionFromTheBody() {
        ModelMetadata oneInput = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
                List.of(new TensorSpec("x", DataType.FP32, new long[] { -1, 2 })),
                List.of(new TensorSpec("y", DataType.FP32, new long[] { -1, 2 })), Map.of());
        InferenceRequest request = JsonInferenceCodec.decodeRawBinary(new byte[24], oneInput, "m", null);
        assertThat(request.inputs().get(0).shape()).containsExactly(3, 2);
        assertThat(request.parameters()).containsEntry("binary_data_output", true);
        assertThatThrownBy(() -> JsonInferenceCodec.decodeRawBinary(new byte[20], oneInput, "m", null))
                .hasMessageContaining("a raw binary body of 20 bytes does not fit FP32 shape [-1,2]");

        ModelMetadata text = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
                List.of(new TensorSpec("s", DataType.BYTES, new long[] { 1 })), List.of(), Map.of());
        Tensor string = JsonInferenceCodec.decodeRawBinary("héllo".getBytes(StandardCharsets.UTF_8), text, "m", null)
                .inputs().get(0);
        assertThat(new String(string.bytesElements()[0], StandardCharsets.UTF_8)).isEqualTo("héllo");

        ModelMetadata twoDynamic = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
                List.of(new TensorSpec("x", DataType.FP32, new long[] { -1, -1 })), List.of(), Map.of());
        assertThatThrownBy(() -> JsonInferenceCodec.decodeRawBinary(new byte[16], twoDynamic, "m", null))
                .hasMessageContaining("more than one dynamic dimension");
    }

    @Test
    void outputsAreBinaryWhenTheRequestAsks() throws Exception {
        Tensor tensor = decodeOne("INT32", "[2]", "[7,8]");
        InferenceResponse response = new InferenceResponse("m", "1", null, List.of(tensor.withName("a"),
                tensor.withName("b")));
        JsonInferenceCodec.EncodedResponse encoded = JsonInferenceCodec.encodeResponse(response,
                decode("{\"inputs\":[],\"parameters\":{\"binary_data_output\":true},"
                        + "\"outputs\":[{\"name\":\"a\"},{\"name\":\"b\",\"parameters\":{\"binary_data\":false}}]}"));
        assertThat(encoded.hasBinary()).isTrue();
        byte[] body = encoded.body().getBytes();
        JsonNode header = MAPPER.readTree(java.util.Arrays.copyOf(body, encoded.jsonLength()));
        assertThat(header.get("outputs").get(0).get("parameters").get("binary_data_size").asInt()).isEqualTo(8);
        assertThat(header.get("outputs").get(1).get("data").toString()).isEqualTo("[7,8]");
        assertThat(body.length).isEqualTo(encoded.jsonLength() + 8);
        assertThat(body[encoded.jsonLength()]).isEqualTo((byte) 7);
    }

    private static void assertInvalid(String json, String... fragments) {
        assertThatThrownBy(() -> decode(json)).as(json)
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(dev.zeroserve.inference.Status.INVALID_ARGUMENT))
                .message().contains(fragments);
    }
}
