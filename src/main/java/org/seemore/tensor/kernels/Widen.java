package org.seemore.tensor.kernels;

import static org.seemore.tensor.kernels.VectorMath.LANES;
import static org.seemore.tensor.kernels.VectorMath.SPECIES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Widening rows of 16-bit floats (bfloat16 and IEEE half, as checkpoints store them) to float32,
 * bit for bit what {@link WidenReference} gives: from a memory segment (a mapped safetensors
 * tensor, little-endian, at any byte offset) or from a {@code short[]}. Kernels that keep weights in
 * 16 bits widen them in registers with {@link #bf16Bits} and {@link #f16Bits}. Loading a whole tensor
 * uses the scalar loops {@link #bf16Scalar} and {@link #f16Scalar} instead (see {@code StoredTensor.readFloats}): they are as fast once compiled,
 * and fast before the JIT has compiled the Vector API code.
 *
 * <p>One vector of shorts is sign-extended into one vector of ints with the float lane count. bfloat16
 * then only needs a shift left by 16. For half precision, {@code m} = the bits without the sign:
 * normal numbers are {@code m << 13} with the exponent rebiased by 127 - 15 = 112, infinities and
 * NaNs get a second 112 (which lands their exponent on 255) and NaNs the quiet bit, as
 * {@link Float#float16ToFloat} sets it; subnormals and zeros are {@code m · 2^-24}, exact in float.
 */
public final class Widen {
    /** Shorts with the float lane count: loaded, they convert to one int vector shaped like a float vector. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE));
    private static final VectorSpecies<Integer> INTS = SPECIES.withLanes(int.class);
    private static final int REBIAS = (127 - 15) << 23;
    private static final int QUIET_BIT = 1 << 22;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Widen() {}

    /** {@code dst[dstOffset + i] =} bfloat16 number {@code i} of {@code src} from byte {@code from}, for i < count. */
    public static void bf16(MemorySegment src, long from, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (int bound = count - LANES; i <= bound; i += LANES) {
            bf16Bits(ShortVector.fromMemorySegment(SHORTS, src, from + 2L * i, ByteOrder.LITTLE_ENDIAN)).intoArray(dst, dstOffset + i);
        }
        bf16Scalar(src, from + 2L * i, dst, dstOffset + i, count - i);
    }

    /** {@code dst[dstOffset + i] =} bfloat16 {@code src[srcOffset + i]}, for i < count. */
    public static void bf16(short[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (int bound = count - LANES; i <= bound; i += LANES) {
            bf16Bits(ShortVector.fromArray(SHORTS, src, srcOffset + i)).intoArray(dst, dstOffset + i);
        }
        for (; i < count; i++) dst[dstOffset + i] = Float.intBitsToFloat((src[srcOffset + i] & 0xFFFF) << 16);
    }

    /** {@code dst[dstOffset + i] =} half-precision number {@code i} of {@code src} from byte {@code from}, for i < count. */
    public static void f16(MemorySegment src, long from, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (int bound = count - LANES; i <= bound; i += LANES) {
            f16Bits(ShortVector.fromMemorySegment(SHORTS, src, from + 2L * i, ByteOrder.LITTLE_ENDIAN)).intoArray(dst, dstOffset + i);
        }
        f16Scalar(src, from + 2L * i, dst, dstOffset + i, count - i);
    }

    /** {@code dst[dstOffset + i] =} half-precision {@code src[srcOffset + i]}, for i < count. */
    public static void f16(short[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        int i = 0;
        for (int bound = count - LANES; i <= bound; i += LANES) {
            f16Bits(ShortVector.fromArray(SHORTS, src, srcOffset + i)).intoArray(dst, dstOffset + i);
        }
        for (; i < count; i++) dst[dstOffset + i] = Float.float16ToFloat(src[srcOffset + i]);
    }

    /**
     * The one-at-a-time loop over a segment, for the vector loops' tails and for whole-tensor loads
     * (as fast as the vector loop once compiled, and much faster before the JIT has compiled it).
     */
    public static void bf16Scalar(MemorySegment src, long from, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.intBitsToFloat((src.get(LE_SHORT, from + 2L * i) & 0xFFFF) << 16);
    }

    /** As {@link #bf16Scalar}, for half precision (through {@link Float#float16ToFloat}). */
    public static void f16Scalar(MemorySegment src, long from, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.float16ToFloat(src.get(LE_SHORT, from + 2L * i));
    }

    /** One vector of {@link #SHORTS} bfloat16 patterns as floats: for kernels that read 16-bit weights and widen in registers. */
    static FloatVector bf16Bits(ShortVector bits) {
        IntVector wide = (IntVector) bits.convertShape(VectorOperators.S2I, INTS, 0);
        return wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();   // the sign-extended top half shifts out
    }

    /** One vector of {@link #SHORTS} half-precision patterns as floats, as {@link Float#float16ToFloat} gives them. */
    static FloatVector f16Bits(ShortVector bits) {
        IntVector wide = (IntVector) bits.convertShape(VectorOperators.S2I, INTS, 0);
        IntVector sign = wide.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector magnitude = wide.and(0x7FFF);
        VectorMask<Integer> infOrNan = magnitude.compare(VectorOperators.GE, 0x7C00);
        IntVector normal = magnitude.lanewise(VectorOperators.LSHL, 13).add(REBIAS)
                .lanewise(VectorOperators.ADD, REBIAS, infOrNan)
                .lanewise(VectorOperators.OR, QUIET_BIT, magnitude.compare(VectorOperators.GT, 0x7C00));
        // exponent 0: the 10 mantissa bits times 2^-24 (0 stays +0 before the sign is put back)
        IntVector subnormal = ((FloatVector) magnitude.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        return normal.blend(subnormal, magnitude.compare(VectorOperators.LT, 0x0400)).or(sign).reinterpretAsFloats();
    }
}
