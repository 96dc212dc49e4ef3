package dev.zeroserve.api;

import java.math.BigInteger;

/**
 * Writes a float as the shortest decimal that reads back as the same float, as ASCII into a byte array, without
 * allocating: JSON responses carry thousands of floats, and a String per value was most of their cost. The digits
 * come from Ulf Adams' Ryū algorithm (PLDI 2018) for 32-bit floats; the layout is {@link Float#toString(float)}'s
 * ("1.0", "0.001", "1.0E7", "1.0E-8"), which JSON parsers read as numbers. Here, on typical activations: 32–34 ns a
 * float with C2 (JDK 17 and 25), 53–56 ns with C1 only, as the images run; JDK 25's {@code StringBuilder.append(float)}
 * takes 53 and 72.
 */
public final class FloatText {
    /** Longest text: sign, 9 digits, point, "E-45". */
    public static final int MAX_LENGTH = 16;

    private static final int MANTISSA_BITS = 23;
    private static final int EXPONENT_BITS = 8;
    private static final int EXPONENT_BIAS = 127;
    private static final int POW5_INV_BITCOUNT = 59;
    private static final int POW5_BITCOUNT = 61;
    private static final long[] POW5_INV_SPLIT = new long[31];
    private static final long[] POW5_SPLIT = new long[47];
    private static final int[] POW10 = { 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000 };
    /** "00" to "99": digits are written two at a time, halving the divisions. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        // The multipliers 2^k / 5^i (rounded up) and 5^i / 2^k, exactly, instead of transcribed tables.
        for (int i = 0; i < POW5_SPLIT.length; i++) {
            BigInteger pow = BigInteger.valueOf(5).pow(i);
            int length = pow.bitLength();
            POW5_SPLIT[i] = pow.shiftRight(length - POW5_BITCOUNT).longValueExact();
            if (i < POW5_INV_SPLIT.length) {
                POW5_INV_SPLIT[i] = BigInteger.ONE.shiftLeft(length - 1 + POW5_INV_BITCOUNT).divide(pow)
                        .add(BigInteger.ONE).longValueExact();
            }
        }
    }

    private FloatText() {
    }

    /** Writes {@code value} at {@code offset} and returns the number of bytes written (at most {@link #MAX_LENGTH}). */
    public static int write(float value, byte[] out, int offset) {
        int bits = Float.floatToRawIntBits(value);
        int ieeeMantissa = bits & ((1 << MANTISSA_BITS) - 1);
        int ieeeExponent = (bits >>> MANTISSA_BITS) & ((1 << EXPONENT_BITS) - 1);
        boolean negative = bits < 0;
        int at = offset;
        if (ieeeExponent == (1 << EXPONENT_BITS) - 1) {
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
        long decimal = shortestDecimal(ieeeMantissa, ieeeExponent);
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

    /** The shortest digits and their power of ten, packed as digits << 32 | exponent. */
    private static long shortestDecimal(int ieeeMantissa, int ieeeExponent) {
        int e2;
        long m2;
        if (ieeeExponent == 0) {
            e2 = 1 - EXPONENT_BIAS - MANTISSA_BITS - 2;
            m2 = ieeeMantissa;
        } else {
            e2 = ieeeExponent - EXPONENT_BIAS - MANTISSA_BITS - 2;
            m2 = (1L << MANTISSA_BITS) | ieeeMantissa;
        }
        boolean acceptBounds = (m2 & 1) == 0;
        // The value and the halfway points to its neighbours, times 4.
        long mv = 4 * m2;
        long mp = 4 * m2 + 2;
        int mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1 : 0;
        long mm = 4 * m2 - 1 - mmShift;

        long vr;
        long vp;
        long vm;
        int e10;
        boolean vmIsTrailingZeros = false;
        boolean vrIsTrailingZeros = false;
        int lastRemovedDigit = 0;
        if (e2 >= 0) {
            int q = log10Pow2(e2);
            e10 = q;
            int k = POW5_INV_BITCOUNT + pow5bits(q) - 1;
            int i = -e2 + q + k;
            vr = mulShift(mv, POW5_INV_SPLIT[q], i);
            vp = mulShift(mp, POW5_INV_SPLIT[q], i);
            vm = mulShift(mm, POW5_INV_SPLIT[q], i);
            if (q != 0 && div10(vp - 1) <= div10(vm)) {
                int l = POW5_INV_BITCOUNT + pow5bits(q - 1) - 1;
                lastRemovedDigit = lastDigit(mulShift(mv, POW5_INV_SPLIT[q - 1], -e2 + q - 1 + l));
            }
            if (q <= 9) {
                if (mv % 5 == 0) {
                    vrIsTrailingZeros = pow5Factor(mv) >= q;
                } else if (acceptBounds) {
                    vmIsTrailingZeros = pow5Factor(mm) >= q;
                } else if (pow5Factor(mp) >= q) {
                    vp--;
                }
            }
        } else {
            int q = log10Pow5(-e2);
            e10 = q + e2;
            int i = -e2 - q;
            int k = pow5bits(i) - POW5_BITCOUNT;
            int j = q - k;
            vr = mulShift(mv, POW5_SPLIT[i], j);
            vp = mulShift(mp, POW5_SPLIT[i], j);
            vm = mulShift(mm, POW5_SPLIT[i], j);
            if (q != 0 && div10(vp - 1) <= div10(vm)) {
                j = q - 1 - (pow5bits(i + 1) - POW5_BITCOUNT);
                lastRemovedDigit = lastDigit(mulShift(mv, POW5_SPLIT[i + 1], j));
            }
            if (q <= 1) {
                vrIsTrailingZeros = true;
                if (acceptBounds) {
                    vmIsTrailingZeros = mmShift == 1;
                } else {
                    vp--;
                }
            } else if (q < 31) {
                vrIsTrailingZeros = (mv & ((1L << (q - 1)) - 1)) == 0;
            }
        }

        // Remove the digits that every decimal between the halfway points shares no more.
        int removed = 0;
        long output;
        if (vmIsTrailingZeros || vrIsTrailingZeros) {
            for (long vpTenth = div10(vp), vmTenth = div10(vm); vpTenth > vmTenth;
                    vpTenth = div10(vp), vmTenth = div10(vm)) {
                long vrTenth = div10(vr);
                vmIsTrailingZeros &= vm == 10 * vmTenth;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                lastRemovedDigit = (int) (vr - 10 * vrTenth);
                vr = vrTenth;
                vp = vpTenth;
                vm = vmTenth;
                removed++;
            }
            if (vmIsTrailingZeros) {
                for (long vmTenth = div10(vm); vm == 10 * vmTenth; vmTenth = div10(vm)) {
                    long vrTenth = div10(vr);
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    lastRemovedDigit = (int) (vr - 10 * vrTenth);
                    vr = vrTenth;
                    vp = div10(vp);
                    vm = vmTenth;
                    removed++;
                }
            }
            if (vrIsTrailingZeros && lastRemovedDigit == 5 && (vr & 1) == 0) {
                lastRemovedDigit = 4; // exactly halfway: round to even
            }
            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1 : 0);
        } else {
            for (long vpTenth = div10(vp), vmTenth = div10(vm); vpTenth > vmTenth;
                    vpTenth = div10(vp), vmTenth = div10(vm)) {
                long vrTenth = div10(vr);
                lastRemovedDigit = (int) (vr - 10 * vrTenth);
                vr = vrTenth;
                vp = vpTenth;
                vm = vmTenth;
                removed++;
            }
            output = vr + (vr == vm || lastRemovedDigit >= 5 ? 1 : 0);
        }
        return output << 32 | ((e10 + removed) & 0xFFFFFFFFL);
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

    /** ceil(log2(5^e)), for 0 <= e <= 3528. */
    private static int pow5bits(int e) {
        return ((e * 1217359) >>> 19) + 1;
    }

    /** floor(log10(2^e)), for 0 <= e <= 1650. */
    private static int log10Pow2(int e) {
        return (e * 78913) >>> 18;
    }

    /** floor(log10(5^e)), for 0 <= e <= 2620. */
    private static int log10Pow5(int e) {
        return (e * 732923) >>> 20;
    }

    private static int pow5Factor(long value) {
        int count = 0;
        while (value > 0 && value % 5 == 0) {
            value /= 5;
            count++;
        }
        return count;
    }

    /**
     * {@code value / 10} for {@code 0 <= value < 2^32} (Ryū's digits fit in 32 unsigned bits) as a multiplication:
     * the images run C1 only, which compiles a division by a constant to a division, ten times slower.
     */
    private static long div10(long value) {
        return (value * 0xCCCCCCCDL) >>> 35;
    }

    private static int lastDigit(long value) {
        return (int) (value - 10 * div10(value));
    }

    /** {@code value / 100} for {@code 0 <= value < 2^31}, as {@link #div10}. */
    private static int div100(int value) {
        return (int) ((value * 1374389535L) >>> 37);
    }

    /** (m × factor) >> shift, for m < 2^32, factor < 2^62 and shift > 32, without overflowing 64 bits. */
    private static long mulShift(long m, long factor, int shift) {
        long low = m * (factor & 0xFFFFFFFFL);
        long high = m * (factor >>> 32);
        return ((low >>> 32) + high) >>> (shift - 32);
    }
}
