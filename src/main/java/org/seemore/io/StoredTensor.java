package org.seemore.io;

import org.seemore.UserException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor as a safetensors file stores it: its element type, its shape and its raw
 * little-endian bytes (a view into the mapped file, or a buffer built by a factory). Conversions
 * to Java arrays copy; F16 and BF16 widen to float exactly.
 *
 * @param shape dimensions, outermost first; {@code []} is a scalar (one element)
 * @param data  exactly {@code numel * dtype.byteSize()} bytes, read with absolute gets only
 */
public record StoredTensor(String name, DType dtype, int[] shape, ByteBuffer data) {

    public StoredTensor {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a tensor needs a name");
        shape = shape.clone();
        long expected = numel(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "' " + dtype + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static StoredTensor ofFloats(String name, int[] shape, float[] values) {
        checkCount(name, shape, values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new StoredTensor(name, DType.F32, shape, buffer);
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static StoredTensor ofLongs(String name, int[] shape, long[] values) {
        checkCount(name, shape, values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return new StoredTensor(name, DType.I64, shape, buffer);
    }

    /** The shape (a copy). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The raw little-endian bytes (a read-only view; position 0, limit = byte size). */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
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
        switch (dtype) {
            case F32 -> data().asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(data.getShort(2 * i));
            }
            case BF16 -> {
                // bfloat16 is the upper half of a float32's bits
                for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((data.getShort(2 * i) & 0xFFFF) << 16);
            }
            default -> throw wrongType("F32, F16 or BF16");
        }
        return out;
    }

    /** The values as int64: I64 as stored, I32 sign-extended. */
    public long[] toLongs() {
        long[] out = new long[elementCount()];
        switch (dtype) {
            case I64 -> data().asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < out.length; i++) out[i] = data.getInt(4 * i);
            }
            default -> throw wrongType("I64 or I32");
        }
        return out;
    }

    /** The values as int32: I32 as stored, I64 narrowed (an error if a value does not fit), U8 as 0..255. */
    public int[] toInts() {
        int[] out = new int[elementCount()];
        switch (dtype) {
            case I32 -> data().asIntBuffer().get(out);
            case I64 -> {
                for (int i = 0; i < out.length; i++) {
                    long value = data.getLong(8 * i);
                    if (value != (int) value) {
                        throw new UserException("tensor '" + name + "': element " + i + " = " + value + " does not fit in an int");
                    }
                    out[i] = (int) value;
                }
            }
            case U8 -> {
                for (int i = 0; i < out.length; i++) out[i] = data.get(i) & 0xFF;
            }
            default -> throw wrongType("I64, I32 or U8");
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoredTensor that && name.equals(that.name) && dtype == that.dtype
                && Arrays.equals(shape, that.shape) && data.equals(that.data);
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
            throw new UserException("tensor '" + name + "' has " + count + " elements, too many for one Java array");
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
