package org.seemore.io;

import org.seemore.UserException;
import org.seemore.tensor.kernels.Widen;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as a safetensors file stores it: its element type, its shape and its raw
 * little-endian bytes, a read-only {@link MemorySegment} (a view into the mapped file, of any size,
 * or memory built by a factory). Conversions to Java arrays copy; F16 and BF16 widen to float exactly.
 *
 * <p>Weights that are only read can stay 16-bit: {@link #bytes()} is the zero-copy view, and
 * {@link #readFloats} widens any range of it (one row, say); kernels that read 16-bit weights
 * directly widen them in registers ({@link Widen}).
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar (one element)
 * @param bytes exactly {@code numel * dtype.byteSize()} bytes
 */
public record StoredTensor(String name, DType dtype, int[] shape, MemorySegment bytes) {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public StoredTensor {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a tensor needs a name");
        shape = shape.clone();
        long expected = numel(shape) * dtype.byteSize();
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' " + dtype + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + bytes.byteSize());
        }
        bytes = bytes.asReadOnly();
    }

    /** A tensor over the remaining bytes of {@code data} (not copied). */
    public StoredTensor(String name, DType dtype, int[] shape, ByteBuffer data) {
        this(name, dtype, shape, MemorySegment.ofBuffer(data.slice()));
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static StoredTensor ofFloats(String name, int[] shape, float[] values) {
        checkCount(name, shape, values.length);
        MemorySegment segment = MemorySegment.ofArray(new byte[values.length * 4]);
        MemorySegment.copy(values, 0, segment, FLOAT, 0, values.length);
        return new StoredTensor(name, DType.F32, shape, segment);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static StoredTensor ofLongs(String name, int[] shape, long[] values) {
        checkCount(name, shape, values.length);
        MemorySegment segment = MemorySegment.ofArray(new byte[values.length * 8]);
        MemorySegment.copy(values, 0, segment, LONG, 0, values.length);
        return new StoredTensor(name, DType.I64, shape, segment);
    }

    /** A BF16 or F16 tensor holding a copy of the bit patterns {@code bits}. */
    public static StoredTensor ofHalves(String name, DType dtype, int[] shape, short[] bits) {
        if (dtype != DType.BF16 && dtype != DType.F16) throw new IllegalArgumentException("16-bit floats are BF16 or F16, not " + dtype);
        checkCount(name, shape, bits.length);
        MemorySegment segment = MemorySegment.ofArray(new byte[bits.length * 2]);
        MemorySegment.copy(bits, 0, segment, SHORT, 0, bits.length);
        return new StoredTensor(name, dtype, shape, segment);
    }

    /** The shape (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The raw little-endian bytes as a ByteBuffer (read-only, position 0); tensors over 2 GB only have {@link #bytes()}. */
    public ByteBuffer data() {
        if (bytes.byteSize() > Integer.MAX_VALUE) {
            throw new UserException("tensor '" + name + "' holds " + bytes.byteSize() + " bytes, more than a ByteBuffer can view");
        }
        return bytes.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of elements: the product of the dimensions (1 for a scalar, 0 if any dimension is 0). */
    public long numel() {
        return numel(shape);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** The values as float32: F32 as stored, F16 and BF16 widened exactly. */
    public float[] toFloats() {
        float[] out = new float[elementCount()];
        readFloats(0, out, 0, out.length);
        return out;
    }

    /**
     * Elements {@code [from, from + count)} (in row-major order) as float32 into {@code dst[dstOffset ..]}:
     * a row of a 16-bit weight, widened without copying the rest of the tensor.
     */
    public void readFloats(long from, float[] dst, int dstOffset, int count) {
        if (from < 0 || count < 0 || from + count > numel()) {
            throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + count) + ") of tensor '" + name + "' with " + numel());
        }
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, FLOAT, 4 * from, dst, dstOffset, count);
            // The plain loops, not Widen's Vector API code: loading widens each tensor once, and the Vector API
            // runs many times slower until C2 has compiled it. Measured on 400 MB of a mapped file, first pass
            // BF16 1.5 s plain vs 3.7 s, F16 0.65 s vs 5.1 s; once compiled 0.21 vs 0.13 s and 0.08 vs 0.09 s.
            case BF16 -> Widen.bf16Scalar(bytes, 2 * from, dst, dstOffset, count);
            case F16 -> Widen.f16Scalar(bytes, 2 * from, dst, dstOffset, count);
            default -> throw wrongType("F32, F16 or BF16");
        }
    }

    /** The bit patterns of a BF16 or F16 tensor, copied into a short[] (kept 16-bit). */
    public short[] toShorts() {
        if (dtype != DType.BF16 && dtype != DType.F16) throw wrongType("BF16 or F16");
        short[] out = new short[elementCount()];
        MemorySegment.copy(bytes, SHORT, 0, out, 0, out.length);
        return out;
    }

    /**
     * Once the values have been copied out: drops this tensor's pages of a mapped file from the
     * process's resident memory ({@link MemorySegment#unload}; the kernel's page cache keeps the file,
     * and a later read maps them in again). Loading a checkpoint into arrays then peaks at the arrays
     * plus one tensor, not plus the whole mapped file. Does nothing for memory that is not mapped.
     */
    public void release() {
        if (bytes.isMapped()) bytes.unload();
    }

    /** The values as int64: I64 as stored, I32 sign-extended. */
    public long[] toLongs() {
        long[] out = new long[elementCount()];
        switch (dtype) {
            case I64 -> MemorySegment.copy(bytes, LONG, 0, out, 0, out.length);
            case I32 -> {
                for (int i = 0; i < out.length; i++) out[i] = bytes.get(INT, 4L * i);
            }
            default -> throw wrongType("I64 or I32");
        }
        return out;
    }

    /** The values as int32: I32 as stored, I64 narrowed (an error if a value does not fit), U8 as 0..255. */
    public int[] toInts() {
        int[] out = new int[elementCount()];
        switch (dtype) {
            case I32 -> MemorySegment.copy(bytes, INT, 0, out, 0, out.length);
            case I64 -> {
                for (int i = 0; i < out.length; i++) {
                    long value = bytes.get(LONG, 8L * i);
                    if (value != (int) value) {
                        throw new UserException("tensor '" + name + "': element " + i + " = " + value + " does not fit in an int");
                    }
                    out[i] = (int) value;
                }
            }
            case U8 -> {
                for (int i = 0; i < out.length; i++) out[i] = bytes.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            }
            default -> throw wrongType("I64, I32 or U8");
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredTensor that && name.equals(that.name) && dtype == that.dtype
                && Arrays.equals(shape, that.shape) && MemorySegment.mismatch(bytes, 0, bytes.byteSize(), that.bytes, 0, that.bytes.byteSize()) == -1;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "StoredTensor[" + name + " " + dtype + Arrays.toString(shape) + "]";
    }

    /** Product of the dimensions; throws ArithmeticException on overflow, IllegalArgumentException on a negative one. */
    static long numel(int[] shape) {
        long count = 1;
        for (int dim : shape) {
            if (dim < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    private int elementCount() {
        long count = numel();
        if (count > Integer.MAX_VALUE - 8) {
            throw new UserException("tensor '" + name + "' has " + count + " elements, too many for one Java array (read it by rows)");
        }
        return (int) count;
    }

    private UserException wrongType(String expected) {
        return new UserException("tensor '" + name + "' is " + dtype + ", expected " + expected);
    }

    private static void checkCount(String name, int[] shape, int count) {
        if (numel(shape) != count) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " holds " + numel(shape) + " values, got " + count);
        }
    }
}
