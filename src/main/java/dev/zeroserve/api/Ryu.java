package dev.zeroserve.api;

import java.math.BigInteger;

/**
 * Ulf Adams' Ryū algorithm (PLDI 2018) for 32-bit floats: the shortest decimal digits that read back as the same
 * float. {@link FloatText} lays them out.
 */
final class Ryu {
    static final int MANTISSA_BITS = 23;
    static final int EXPONENT_BITS = 8;
    private static final int EXPONENT_BIAS = 127;
    private static final int POW5_INV_BITCOUNT = 59;
    private static final int POW5_BITCOUNT = 61;
    private static final long[] POW5_INV_SPLIT = new long[31];
    private static final long[] POW5_SPLIT = new long[47];

    static {
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

    private Ryu() {
    }

    /** The shortest digits and their power of ten, packed as digits << 32 | exponent. */
    static long shortestDecimal(int ieeeMantissa, int ieeeExponent) {
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
    static long div10(long value) {
        return (value * 0xCCCCCCCDL) >>> 35;
    }

    private static int lastDigit(long value) {
        return (int) (value - 10 * div10(value));
    }

    /** (m × factor) >> shift, for m < 2^32, factor < 2^62 and shift > 32, without overflowing 64 bits. */
    private static long mulShift(long m, long factor, int shift) {
        long low = m * (factor & 0xFFFFFFFFL);
        long high = m * (factor >>> 32);
        return ((low >>> 32) + high) >>> (shift - 32);
    }
}
