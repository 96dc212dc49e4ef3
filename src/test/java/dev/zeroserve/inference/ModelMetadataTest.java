package dev.zeroserve.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ModelMetadataTest {
    private static final long D = TensorSpec.DYNAMIC;

    private static ModelMetadata model(List<TensorSpec> inputs, String provider) {
        return new ModelMetadata("m", "1", ModelMetadata.PLATFORM, inputs, List.of(),
                Map.of(ModelMetadata.EXECUTION_PROVIDER, provider));
    }

    private static Tensor tensor(String name, DataType type, long... shape) {
        long elements = 1;
        for (long size : shape) {
            elements *= size;
        }
        return Tensor.of(name, type, shape, Tensor.allocate(elements * type.byteSize()));
    }

    @Test
    void aRowsTokensAreTheLongestDynamicSequenceOfAnIntegerInput() {
        ModelMetadata text = model(List.of(new TensorSpec("input_ids", DataType.INT64, new long[] { D, D }),
                new TensorSpec("attention_mask", DataType.INT64, new long[] { D, D })), "cpu");
        assertThat(text.tokensPerRow(List.of(tensor("input_ids", DataType.INT64, 4, 128),
                tensor("attention_mask", DataType.INT64, 4, 128)))).isEqualTo(128);
        assertThat(text.onCpu()).isTrue();
    }

    @Test
    void fixedFeaturesFloatsAndImagesAreNoTokens() {
        ModelMetadata fields = model(List.of(new TensorSpec("fields", DataType.INT64, new long[] { D, 40 })), "cuda");
        assertThat(fields.tokensPerRow(List.of(tensor("fields", DataType.INT64, 2, 40)))).isZero();
        assertThat(fields.onCpu()).isFalse();
        ModelMetadata floats = model(List.of(new TensorSpec("x", DataType.FP32, new long[] { D, D })), "cpu");
        assertThat(floats.tokensPerRow(List.of(tensor("x", DataType.FP32, 2, 300)))).isZero();
        ModelMetadata image = model(List.of(new TensorSpec("pixels", DataType.FP32, new long[] { D, 3, D, D })), "cpu");
        assertThat(image.tokensPerRow(List.of(tensor("pixels", DataType.FP32, 1, 3, 8, 8)))).isZero();
        assertThat(image.tokensPerRow(List.of(tensor("unknown", DataType.INT64, 1, 9)))).isZero();
    }
}
