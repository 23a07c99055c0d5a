package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Widen} against {@link WidenReference} and the JDK, bit for bit, on every one of the 65,536
 * bit patterns (zeros, subnormals, infinities, quiet and signalling NaNs of both signs), at odd
 * lengths and at odd byte offsets into a segment.
 */
class WidenTest {
    /** Every 16-bit pattern once, little-endian, after one byte of padding (an unaligned start). */
    private static final short[] ALL = new short[1 << 16];

    static {
        for (int i = 0; i < ALL.length; i++) ALL[i] = (short) i;
    }

    private static MemorySegment segment(short[] values, int paddingBytes) {
        MemorySegment segment = Arena.ofAuto().allocate(paddingBytes + 2L * values.length + 7);
        for (int i = 0; i < values.length; i++) segment.set(WidenReference.LE_SHORT, paddingBytes + 2L * i, values[i]);
        return segment;
    }

    @Test
    void bfloat16IsTheUpperHalfOfTheFloatBits() {
        assertThat(WidenReference.bf16((short) 0x3F80)).isEqualTo(1f);
        assertThat(WidenReference.bf16((short) 0xC040)).isEqualTo(-3f);
        assertThat(Float.floatToRawIntBits(WidenReference.bf16((short) 0xFF81))).isEqualTo(0xFF810000);  // signalling NaN kept
        MemorySegment segment = segment(ALL, 1);
        // repeated so that the vector loop also runs C1- and C2-compiled, not only interpreted (on a loaded
        // machine C2 may finish later: the JIT only executes the same lane operations faster)
        for (int round = 0; round < 10; round++) {
            float[] fromSegment = new float[ALL.length], fromArray = new float[ALL.length];
            Widen.bf16(segment, 1, fromSegment, 0, ALL.length);
            Widen.bf16(ALL, 0, fromArray, 0, ALL.length);
            for (int i = 0; i < ALL.length; i++) {
                int expected = i << 16;
                if (Float.floatToRawIntBits(fromSegment[i]) != expected || Float.floatToRawIntBits(fromArray[i]) != expected) {
                    throw new AssertionError(String.format("bf16 %04x: segment %08x array %08x, expected %08x (round %d)", i,
                            Float.floatToRawIntBits(fromSegment[i]), Float.floatToRawIntBits(fromArray[i]), expected, round));
                }
            }
        }
    }

    @Test
    void halfPrecisionMatchesTheJdkOnEveryBitPattern() {
        MemorySegment segment = segment(ALL, 3);
        for (int round = 0; round < 10; round++) {
            float[] fromSegment = new float[ALL.length], fromArray = new float[ALL.length], reference = new float[ALL.length];
            Widen.f16(segment, 3, fromSegment, 0, ALL.length);
            Widen.f16(ALL, 0, fromArray, 0, ALL.length);
            WidenReference.f16(segment, 3, reference, 0, ALL.length);
            for (int i = 0; i < ALL.length; i++) {
                int expected = Float.floatToRawIntBits(Float.float16ToFloat((short) i));
                if (Float.floatToRawIntBits(fromSegment[i]) != expected || Float.floatToRawIntBits(fromArray[i]) != expected
                        || Float.floatToRawIntBits(reference[i]) != expected) {
                    throw new AssertionError(String.format("f16 %04x: segment %08x array %08x reference %08x, expected %08x (round %d)", i,
                            Float.floatToRawIntBits(fromSegment[i]), Float.floatToRawIntBits(fromArray[i]),
                            Float.floatToRawIntBits(reference[i]), expected, round));
                }
            }
        }
        // the cases by name: smallest subnormal, largest subnormal, largest normal, -0, -inf, a NaN
        float[] named = new float[6];
        Widen.f16(new short[] {0x0001, 0x03FF, 0x7BFF, (short) 0x8000, (short) 0xFC00, 0x7E00}, 0, named, 0, 6);
        assertThat(named).containsExactly(0x1p-24f, 1023 * 0x1p-24f, 65504f, -0f, Float.NEGATIVE_INFINITY, Float.NaN);
        assertThat(Float.floatToRawIntBits(named[3])).isEqualTo(0x80000000);
    }

    @Test
    void oddLengthsAndOffsetsWriteExactlyTheirRange() {
        SplittableRandom random = new SplittableRandom(5);
        short[] values = new short[300];
        for (int i = 0; i < values.length; i++) values[i] = (short) random.nextInt(1 << 16);
        for (int count : new int[] {0, 1, 7, 15, 16, 17, 31, 33, 100, 257}) {
            for (int offset : new int[] {0, 1, 5, 13}) {
                MemorySegment segment = segment(values, 2 * offset + 1);
                for (boolean half : new boolean[] {false, true}) {
                    float[] fromSegment = filled(count + 9), fromArray = filled(count + 9), reference = filled(count + 9);
                    if (half) {
                        Widen.f16(segment, 2 * offset + 1 + 2L * offset, fromSegment, 4, count);
                        Widen.f16(values, offset, fromArray, 4, count);
                        WidenReference.f16(values, offset, reference, 4, count);
                    } else {
                        Widen.bf16(segment, 2 * offset + 1 + 2L * offset, fromSegment, 4, count);
                        Widen.bf16(values, offset, fromArray, 4, count);
                        WidenReference.bf16(values, offset, reference, 4, count);
                    }
                    String what = (half ? "f16" : "bf16") + " count=" + count + " offset=" + offset;
                    assertThat(bits(fromSegment)).as(what).containsExactly(bits(reference));
                    assertThat(bits(fromArray)).as(what).containsExactly(bits(reference));
                    assertThat(reference[3]).isEqualTo(-7f);                 // untouched before and after the range
                    assertThat(reference[4 + count]).isEqualTo(-7f);
                }
            }
        }
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, -7f);
        return a;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Float.floatToRawIntBits(values[i]);
        return out;
    }
}
