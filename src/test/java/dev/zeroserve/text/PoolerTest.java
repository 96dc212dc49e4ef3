package dev.zeroserve.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

import dev.zeroserve.config.ZeroserveConfig.Pooling;

class PoolerTest {
    /** Two rows of a batch padded to 3 positions, hidden size 2; row 1 has 2 tokens and a padding position of 99s. */
    private static final FloatBuffer HIDDEN = FloatBuffer.wrap(new float[] {
            1, 2, 3, 4, 5, 6,
            10, 20, 30, 40, 99, 99 });

    @Test
    void meanPoolingAveragesOnlyTheTextsOwnTokens() {
        assertThat(Pooler.pool(Pooling.MEAN, HIDDEN, 0, 3, 3, 2)).containsExactly(3, 4);
        assertThat(Pooler.pool(Pooling.MEAN, HIDDEN, 1, 3, 2, 2)).containsExactly(20, 30);
    }

    @Test
    void clsPoolingTakesTheFirstToken() {
        assertThat(Pooler.pool(Pooling.CLS, HIDDEN, 1, 3, 2, 2)).containsExactly(10, 20);
    }

    @Test
    void normalisingGivesUnitLengthAndLeavesZeroAlone() {
        assertThat(Pooler.normalize(new float[] { 3, 4 })).containsExactly(0.6f, 0.8f);
        assertThat(Pooler.normalize(new float[] { 0, 0 })).containsExactly(0, 0);
    }
}
