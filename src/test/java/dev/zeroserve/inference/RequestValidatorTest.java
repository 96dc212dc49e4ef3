package dev.zeroserve.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The one check of a decoded request against the model, without Quarkus, for every protocol's requests. */
class RequestValidatorTest {
    private static final long D = TensorSpec.DYNAMIC;
    private static final ModelMetadata MODEL = new ModelMetadata("m", "1", ModelMetadata.PLATFORM,
            List.of(new TensorSpec("ids", DataType.INT64, new long[] { D, D }, new String[] { "batch", "sequence" }),
                    new TensorSpec("mask", DataType.INT64, new long[] { D, D }, new String[] { "batch", "sequence" }),
                    new TensorSpec("scale", DataType.FP32, new long[] { 1 }, new String[] { "" })),
            List.of(new TensorSpec("hidden", DataType.FP32, new long[] { D, D, 4 }),
                    new TensorSpec("pooled", DataType.FP32, new long[] { D, 4 })),
            Map.of());

    private static Tensor int64(String name, long... shape) {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        return Tensor.of(name, DataType.INT64, shape,
                ByteBuffer.allocate((int) count * 8).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static Tensor scale() {
        return Tensor.of("scale", DataType.FP32, new long[] { 1 }, ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN));
    }

    private static InferenceRequest request(List<Tensor> inputs, String... outputs) {
        return new InferenceRequest("m", null, null, Map.of(), inputs,
                java.util.Arrays.stream(outputs).map(name -> new InferenceRequest.RequestedOutput(name, Map.of()))
                        .toList(), InferenceRequest.NO_DEADLINE);
    }

    @Test
    void aValidRequestGetsTheOutputsItAskedForInItsOrderOrAllOfThem() {
        List<Tensor> inputs = List.of(int64("ids", 2, 5), int64("mask", 2, 5), scale());
        assertThat(RequestValidator.validate(request(inputs), MODEL)).containsExactly("hidden", "pooled");
        assertThat(RequestValidator.validate(request(inputs, "pooled", "hidden"), MODEL))
                .containsExactly("pooled", "hidden");
    }

    @Test
    void eachMistakeIsNamed() {
        Tensor ids = int64("ids", 2, 5);
        Tensor mask = int64("mask", 2, 5);
        Object[][] cases = {
            { request(List.of(ids, mask, scale(), int64("extra", 1))), "unknown input 'extra'; model 'm' takes [ids, "
                    + "mask, scale]" },
            { request(List.of(ids, ids, mask, scale())), "input 'ids' is given more than once" },
            { request(List.of(ids, scale())), "missing input 'mask' (INT64 [-1,-1])" },
            { request(List.of(ids, mask, Tensor.of("scale", DataType.FP64, new long[] { 1 },
                    ByteBuffer.allocate(8)))), "input 'scale': datatype FP64 does not match the model's FP32" },
            { request(List.of(int64("ids", 10), mask, scale())), "input 'ids': shape [10] has rank 1, but the model "
                    + "expects rank 2" },
            { request(List.of(ids, mask, Tensor.of("scale", DataType.FP32, new long[] { 2 },
                    ByteBuffer.allocate(8)))), "input 'scale': dimension 0 is 2, but the model expects 1" },
            { request(List.of(ids, int64("mask", 2, 6), scale())), "input 'mask': dimension 1 ('sequence') is 6, "
                    + "but input 'ids' has 'sequence' = 5" },
            { request(List.of(ids, mask, scale()), "logits"), "unknown output 'logits'; model 'm' has [hidden, "
                    + "pooled]" },
            { request(List.of(ids, mask, scale()), "hidden", "hidden"), "output 'hidden' is requested more than "
                    + "once" },
        };
        for (Object[] bad : cases) {
            assertThatThrownBy(() -> RequestValidator.validate((InferenceRequest) bad[0], MODEL))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT))
                    .hasMessageContaining((String) bad[1]);
        }
    }
}
