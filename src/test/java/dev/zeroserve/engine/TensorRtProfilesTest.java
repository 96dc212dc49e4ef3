package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.TensorSpec;
import dev.zeroserve.testing.TestConfig;

class TensorRtProfilesTest {
    /** The bundled all-MiniLM-L6-v2's inputs, as its session describes them: [batch, sequence] INT64 each. */
    static final List<TensorSpec> BUNDLED = List.of(
            new TensorSpec("input_ids", DataType.INT64, new long[] { -1, -1 }),
            new TensorSpec("attention_mask", DataType.INT64, new long[] { -1, -1 }),
            new TensorSpec("token_type_ids", DataType.INT64, new long[] { -1, -1 }));

    @Test
    void theBundledModelAtTheDefaultsRunsOneToSixteenRowsOfOneTo256Tokens() {
        TensorRtProfiles.Profile profile = TensorRtProfiles.of(BUNDLED, new TensorRtProfiles.Bounds(16, 256, 8));
        assertThat(profile.explicit()).isTrue();
        assertThat(profile.minShapes()).isEqualTo("input_ids:1x1,attention_mask:1x1,token_type_ids:1x1");
        assertThat(profile.optShapes()).isEqualTo("input_ids:16x256,attention_mask:16x256,token_type_ids:16x256");
        assertThat(profile.maxShapes()).isEqualTo(profile.optShapes());
        assertThat(profile.uncovered()).isEmpty();
    }

    @Test
    void theBundledModelsSessionDescribesTheInputsThisTestAssumes() throws Exception {
        ZeroserveConfig config = TestConfig.with(Map.of("zeroserve.engine.intra-op-threads", "1"));
        try (OnnxModel model = new OnnxModelLoader(config.engine(), new TensorRtProfiles.Bounds(16, 256, 8))
                .load(ModelSource.parse(ModelSource.BUNDLED_URI), config.model(), (coupling, onCpu) -> 1)) {
            assertThat(model.metadata().inputs()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("dimNames")
                    .containsExactlyElementsOf(BUNDLED);
        }
    }

    @Test
    void theBoundsFollowTheBatcherAndTheSequenceLength() {
        assertThat(TensorRtProfiles.of(BUNDLED, new TensorRtProfiles.Bounds(64, 512, 8)).maxShapes())
                .isEqualTo("input_ids:64x512,attention_mask:64x512,token_type_ids:64x512");
        assertThat(TensorRtProfiles.of(BUNDLED, new TensorRtProfiles.Bounds(32, 128, 8)).maxShapes())
                .isEqualTo("input_ids:32x128,attention_mask:32x128,token_type_ids:32x128");
    }

    @Test
    void warmUpShapesAreCoveredWhereTheyExceedTheBatcher() {
        // Batching off (1 row), warm-up on zeros with every dynamic dimension 8: the profile reaches 8 rows.
        TensorRtProfiles.Profile profile = TensorRtProfiles.of(BUNDLED, new TensorRtProfiles.Bounds(1, 4, 8));
        assertThat(profile.maxShapes()).isEqualTo("input_ids:8x8,attention_mask:8x8,token_type_ids:8x8");
        assertThat(profile.minShapes()).isEqualTo("input_ids:1x1,attention_mask:1x1,token_type_ids:1x1");
    }

    @Test
    void fixedDimensionsAreKeptAndFixedInputsLeftOut() {
        List<TensorSpec> inputs = List.of(new TensorSpec("x", DataType.INT32, new long[] { -1, 128 }),
                new TensorSpec("scale", DataType.FP32, new long[] { 1 }));
        TensorRtProfiles.Profile profile = TensorRtProfiles.of(inputs, new TensorRtProfiles.Bounds(16, 256, 8));
        assertThat(profile.minShapes()).isEqualTo("x:1x128");
        assertThat(profile.maxShapes()).isEqualTo("x:16x128");
    }

    @Test
    void aModelWithoutDynamicInputsHasNoProfile() {
        TensorRtProfiles.Profile profile = TensorRtProfiles.of(List.of(new TensorSpec("x", DataType.FP32,
                new long[] { 1, 3 })), new TensorRtProfiles.Bounds(16, 256, 8));
        assertThat(profile.explicit()).isFalse();
        assertThat(profile.uncovered()).isEmpty();
    }

    @Test
    void aDynamicDimensionWithoutAKnownBoundLeavesTheProfileToOnnxRuntime() {
        List<TensorSpec> inputs = List.of(new TensorSpec("image", DataType.FP32, new long[] { -1, 3, -1, -1 }));
        TensorRtProfiles.Profile profile = TensorRtProfiles.of(inputs, new TensorRtProfiles.Bounds(16, 256, 8));
        assertThat(profile.explicit()).isFalse();
        assertThat(profile.minShapes()).isEmpty();
        assertThat(profile.uncovered()).containsExactly("image[2]", "image[3]");
    }
}
