package dev.zeroserve.api;

/**
 * Writes a float as the shortest decimal that reads back as the same float, as ASCII into a byte array, without
 * allocating: JSON responses carry thousands of floats, and a String per value was most of their cost. The digits
 * come from {@link Ryu} (Ulf Adams' Ryū for 32-bit floats); the layout here is {@link Float#toString(float)}'s ("1.0",
 * "0.001", "1.0E7", "1.0E-8"), which JSON parsers read as numbers. Here, on typical activations: 32–34 ns a
 * float with C2 (JDK 17 and 25), 53–56 ns with C1 only, as the images run; JDK 25's {@code StringBuilder.append(float)}
 * takes 53 and 72.
 */
public final class FloatText {
    /** Longest text: sign, 9 digits, point, "E-45". */
    public static final int MAX_LENGTH = 16;

    private static final int[] POW10 = { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000 };
    /** "00" to "99": digits are written two at a time, halving the divisions. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private FloatText() {
    }

    /** Writes {@code value} at {@code offset} and returns the number of bytes written (at most {@link #MAX_LENGTH}). */
    public static int write(float value, byte[] out, int offset) {
        int bits = Float.floatToRawIntBits(value);
        int ieeeMantissa = bits & ((1 << Ryu.MANTISSA_BITS) - 1);
        int ieeeExponent = (bits >>> Ryu.MANTISSA_BITS) & ((1 << Ryu.EXPONENT_BITS) - 1);
        boolean negative = bits < 0;
        int at = offset;
        if (ieeeExponent == (1 << Ryu.EXPONENT_BITS) - 1) {
            return copy(ieeeMantissa != 0 ? "NaN" : negative ? "-Infinity" : "Infinity", out, at);
        }
        if (negative) {
            out[at++] = '-';
        }
        if (ieeeExponent == 0 && ieeeMantissa == 0) {
            out[at++] = '0';
            out[at++] = '.';
            out[at++] = '0';
            return at - offset;
        }
        long decimal = Ryu.shortestDecimal(ieeeMantissa, ieeeExponent);
        int digits = (int) (decimal >>> 32);
        int exponent = (int) decimal;
        return at - offset + layout(digits, exponent, out, at);
    }

    private static int copy(String text, byte[] out, int at) {
        for (int i = 0; i < text.length(); i++) {
            out[at + i] = (byte) text.charAt(i);
        }
        return text.length();
    }

    /** {@code digits × 10^exponent} laid out as {@link Float#toString(float)} does. */
    private static int layout(int digits, int exponent, byte[] out, int at) {
        int length = decimalLength(digits);
        // The position of the decimal point relative to the first digit: value = 0.d1d2... × 10^point.
        int point = length + exponent;
        int start = at;
        if (point > 0 && point <= 7) {
            // Plain: 1.0, 123456.79
            at = writeDigits(digits, length, out, at, point);
        } else if (point <= 0 && point > -3) {
            // Plain below one: 0.001 (Float.toString switches to E notation below 10^-3)
            out[at++] = '0';
            out[at++] = '.';
            for (int z = point; z < 0; z++) {
                out[at++] = '0';
            }
            at = writeInteger(digits, length, out, at);
        } else {
            // Scientific: d.ddd E exponent, at least one digit after the point.
            at = writeDigits(digits, length, out, at, 1);
            out[at++] = 'E';
            int shown = point - 1;
            if (shown < 0) {
                out[at++] = '-';
                shown = -shown;
            }
            at = writeInteger(shown, decimalLength(shown), out, at);
        }
        return at - start;
    }

    /** The digits with a decimal point after the first {@code integerDigits} of them, padding with zeros. */
    private static int writeDigits(int digits, int length, byte[] out, int at, int integerDigits) {
        int fractionDigits = length - integerDigits;
        if (fractionDigits <= 0) {
            // 1.0, 1200.0: the digits, the zeros after them, ".0"
            int end = writeInteger(digits, length, out, at);
            for (int z = fractionDigits; z < 0; z++) {
                out[end++] = '0';
            }
            out[end++] = '.';
            out[end++] = '0';
            return end;
        }
        // 1.25, 123.456: the integer part, the point, the fraction with its leading zeros
        int scale = POW10[fractionDigits];
        int integer = digits / scale;
        int end = writeInteger(integer, integerDigits, out, at);
        out[end++] = '.';
        return writeInteger(digits - integer * scale, fractionDigits, out, end);
    }

    /** {@code value} in exactly {@code length} digits, with leading zeros where it has fewer. */
    private static int writeInteger(int value, int length, byte[] out, int at) {
        int pos = at + length;
        while (pos - at >= 2) {
            int rest = div100(value);
            int pair = (value - rest * 100) << 1;
            out[--pos] = DIGIT_PAIRS[pair + 1];
            out[--pos] = DIGIT_PAIRS[pair];
            value = rest;
        }
        if (pos > at) {
            out[--pos] = (byte) ('0' + value);
        }
        return at + length;
    }

    /** Digits of a value below 10^9 (a float has at most 9 significant digits). */
    private static int decimalLength(int value) {
        int length = 1;
        while (length < POW10.length && value >= POW10[length]) {
            length++;
        }
        return length;
    }

    /** {@code value / 100} for {@code 0 <= value < 2^31}, as {@link Ryu#div10}. */
    private static int div100(int value) {
        return (int) ((value * 1374389535L) >>> 37);
    }
}
