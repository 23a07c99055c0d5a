package org.seemore.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The plain loops {@link Widen} is tested against: one 16-bit float at a time. bfloat16 is the upper
 * half of a float32's bits, so widening it is a shift; IEEE half precision goes through
 * {@link Float#float16ToFloat}, whose subnormals, infinities and NaNs (quieted, payload kept) define the result.
 */
public final class WidenReference {
    /** A little-endian 16-bit element at any byte offset, as safetensors stores it. */
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private WidenReference() {}

    /** One bfloat16 bit pattern as a float. */
    public static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** The {@link Widen#bf16} contract for a segment: {@code count} values from byte {@code from}. */
    public static void bf16(MemorySegment src, long from, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = bf16(src.get(LE_SHORT, from + 2L * i));
    }

    /** The {@link Widen#bf16} contract for an array. */
    public static void bf16(short[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = bf16(src[srcOffset + i]);
    }

    /** The {@link Widen#f16} contract for a segment. */
    public static void f16(MemorySegment src, long from, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.float16ToFloat(src.get(LE_SHORT, from + 2L * i));
    }

    /** The {@link Widen#f16} contract for an array. */
    public static void f16(short[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.float16ToFloat(src[srcOffset + i]);
    }
}
