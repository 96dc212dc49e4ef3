package dev.zeroserve.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequencePaddingTest {
    @Test
    void bucketsAre16ThenPowersOfTwoAndTheirMidpoints() {
        long[][] lengthAndBucket = { { 1, 16 }, { 12, 16 }, { 16, 16 }, { 17, 24 }, { 24, 24 }, { 25, 32 },
                { 33, 48 }, { 49, 64 }, { 65, 96 }, { 97, 128 }, { 120, 128 }, { 128, 128 }, { 129, 192 },
                { 193, 256 }, { 256, 256 }, { 257, 384 }, { 512, 512 }, { 513, 768 } };
        for (long[] pair : lengthAndBucket) {
            assertThat(SequencePadding.lengthBucket(pair[0])).as("length %d", pair[0]).isEqualTo(pair[1]);
        }
    }

    @Test
    void noSequenceIsPaddedToMoreThanOneAndAHalfTimesItsLengthPastTheSmallestBucket() {
        for (long length = 17; length <= 4096; length++) {
            long bucket = SequencePadding.lengthBucket(length);
            assertThat(bucket).isGreaterThanOrEqualTo(length);
            assertThat((double) bucket / length).as("length %d", length).isLessThanOrEqualTo(1.5);
        }
    }
}
