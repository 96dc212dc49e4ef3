package dev.zeroserve.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class FloatTextTest {
    private static String text(float value) {
        byte[] out = new byte[FloatText.MAX_LENGTH];
        return new String(out, 0, FloatText.write(value, out, 0), StandardCharsets.US_ASCII);
    }

    @Test
    void knownValuesAreLaidOutAsFloatToStringDoes() {
        float[] values = { 0f, -0f, 1f, -1f, 0.1f, 0.001f, 0.0001f, 100f, 123456.79f, 1e7f, 9999999f, 1e-8f,
                3.4028235e38f, 0.3f, 2.5f, -0.054361f, 16777216f };
        for (float value : values) {
            assertThat(text(value)).as("%s", value).isEqualTo(Float.toString(value));
        }
        // The shortest decimal that reads back as the smallest float has one digit; the JDK picks two (1.4E-45).
        assertThat(text(Float.MIN_VALUE)).isEqualTo("1.0E-45");
        // JDK 17 writes the smallest normal float with a digit too many, 1.17549435E-38.
        assertThat(text(Float.MIN_NORMAL)).isEqualTo("1.1754944E-38");
        assertThat(text(Float.NaN)).isEqualTo("NaN");
        assertThat(text(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }

    @Test
    void everyFloatReadsBackAsItselfWithNoMoreDigitsThanTheJdkWrites() {
        SplittableRandom random = new SplittableRandom(7);
        int differentFromJdk = 0;
        for (int i = 0; i < 3_000_000; i++) {
            // Random bit patterns cover every exponent; the second half are typical activations.
            float value = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) (random.nextDouble() - 0.5);
            if (!Float.isFinite(value)) {
                continue;
            }
            String text = text(value);
            assertThat(Float.parseFloat(text)).as("%s written as %s", value, text).isEqualTo(value);
            String jdk = Float.toString(value);
            assertThat(text.length()).as("%s: %s against the JDK's %s", value, text, jdk)
                    .isLessThanOrEqualTo(jdk.length());
            differentFromJdk += text.equals(jdk) ? 0 : 1;
        }
        // JDK 17's Float.toString often writes a digit more than needed, and picks two digits where one would do.
        System.out.printf("%d of 3,000,000 floats written shorter than Float.toString does%n", differentFromJdk);
    }

    @Test
    void theSubnormalsAndTheirBoundariesReadBack() {
        for (int bits = 0; bits < 1 << 20; bits += 7) {
            float value = Float.intBitsToFloat(bits);
            assertThat(Float.parseFloat(text(value))).isEqualTo(value);
        }
        for (int exponent = 1; exponent < 255; exponent++) {
            for (int mantissa : new int[] { 0, 1, (1 << 23) - 1 }) {
                float value = Float.intBitsToFloat(exponent << 23 | mantissa);
                assertThat(Float.parseFloat(text(value))).as("%s", value).isEqualTo(value);
            }
        }
    }
}
