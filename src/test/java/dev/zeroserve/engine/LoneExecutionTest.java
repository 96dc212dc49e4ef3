package dev.zeroserve.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ModelSource;
import dev.zeroserve.config.ZeroserveConfig;
import dev.zeroserve.inference.BatchEntry;
import dev.zeroserve.inference.DataType;
import dev.zeroserve.inference.RunObserver;
import dev.zeroserve.inference.Tensor;
import dev.zeroserve.testing.BundledModelRequests;
import dev.zeroserve.testing.TestConfig;

/** The bundled int8 model with two executions: an execution alone runs on every core, with the same bits. */
class LoneExecutionTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final String[] INPUTS = { "input_ids", "attention_mask", "token_type_ids" };

    private static OnnxModel load(Map<String, String> properties) {
        ZeroserveConfig config = TestConfig.with(properties);
        return new OnnxModelLoader(config.engine(), new TensorRtProfiles.Bounds(16, 256, 8))
                .load(ModelSource.parse(ModelSource.BUNDLED_URI), config.model(), (coupling, onCpu) -> CORES);
    }

    private static BatchEntry entry(int tokens) {
        long[][] values = BundledModelRequests.valuesFor(BundledModelRequests.tokenIds(tokens));
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < INPUTS.length; i++) {
            ByteBuffer data = Tensor.allocate(values[i].length * 8L);
            for (long value : values[i]) {
                data.putLong(value);
            }
            inputs.add(Tensor.of(INPUTS[i], DataType.INT64, new long[] { 1, tokens }, data.flip()));
        }
        return new BatchEntry(inputs, List.of("last_hidden_state"), null, 1, 0);
    }

    private static ByteBuffer output(OnnxModel model, BatchEntry entry, boolean alone) {
        return model.execute(List.of(entry), RunObserver.NONE, alone).get(0).get(0).data();
    }

    @Test
    void anExecutionAloneRunsOnEveryCoreAndAnswersTheSameBits() throws Exception {
        assumeTrue(CORES > 1, "one core: every execution has it already");
        try (OnnxModel model = load(Map.of())) {
            BatchEntry warmUp = entry(8);
            assertThat(model.hasLoneSession()).as("opened after readiness, not at load").isFalse();
            model.openLoneSession(warmUp.inputs(), warmUp.outputs());
            assertThat(model.hasLoneSession()).isTrue();
            assertThat(model.loneExecution().intraOpThreads()).isEqualTo(CORES);
            assertThat(model.loneExecution().properties()).containsEntry("lone_execution_intra_op_threads",
                    Integer.toString(CORES));
            assertThat(model.metadata().properties()).containsEntry("intra_op_threads", "1");
            for (int tokens : new int[] { 3, 16, 128, 256 }) {
                BatchEntry entry = entry(tokens);
                assertThat(output(model, entry, true)).as("%d tokens", tokens).isEqualTo(output(model, entry, false));
            }
        }
    }

    @Test
    void aClosedModelOpensNoLoneSession() throws Exception {
        assumeTrue(CORES > 1, "one core: there is no lone session");
        OnnxModel model = load(Map.of());
        model.close();
        model.openLoneSession(null, null);
        assertThat(model.hasLoneSession()).isFalse();
    }

    @Test
    void switchedOffThereIsNoSecondSessionAndTheMetadataSaysWhy() throws Exception {
        try (OnnxModel model = load(Map.of(LoneExecution.CONFIG_KEY, "false"))) {
            model.openLoneSession(null, null);
            assertThat(model.hasLoneSession()).isFalse();
            assertThat(model.loneExecution().intraOpThreads()).isEqualTo(1);
            assertThat(model.loneExecution().reason()).isEqualTo("the executions' own threads: "
                    + LoneExecution.CONFIG_KEY + "=false");
        }
    }

    @Test
    void oneExecutionWithEveryCoreNeedsNoSecondSession() throws Exception {
        try (OnnxModel model = new OnnxModelLoader(TestConfig.with(Map.of()).engine(),
                new TensorRtProfiles.Bounds(16, 256, 8)).load(ModelSource.parse(ModelSource.BUNDLED_URI),
                        TestConfig.with(Map.of()).model(), (coupling, onCpu) -> 1)) {
            model.openLoneSession(null, null);
            assertThat(model.hasLoneSession()).isFalse();
            assertThat(model.loneExecution().reason()).endsWith("each execution has every core already");
        }
    }
}
