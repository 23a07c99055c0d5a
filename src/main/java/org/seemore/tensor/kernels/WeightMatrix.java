package org.seemore.tensor.kernels;

/**
 * A weight matrix that is only read (inference): {@code rows x cols} row-major, a Linear layer's
 * {@code [out, in]}, either float32 or bfloat16 bit patterns. bfloat16 halves the bytes a decoding
 * step streams from memory; {@link WeightProduct} widens it in registers. Either kind can be
 * widened row by row ({@link #widenRows}) for the products with many rows, which go to {@link Gemm}.
 */
public sealed interface WeightMatrix permits WeightMatrix.F32, WeightMatrix.Bf16 {

    int rows();

    int cols();

    /** The bytes the values take in memory. */
    long bytes();

    /** Rows {@code [r0, r1)} as float32 into {@code dst[dstOffset ..]}, row-major. */
    void widenRows(int r0, int r1, float[] dst, int dstOffset);

    /** float32 values, {@code values[offset + r*cols + c]}: may be a model parameter's own array, not copied. */
    record F32(float[] values, int offset, int rows, int cols) implements WeightMatrix {
        public F32 {
            check(rows, cols, values.length - offset);
        }

        @Override
        public long bytes() {
            return 4L * rows * cols;
        }

        @Override
        public void widenRows(int r0, int r1, float[] dst, int dstOffset) {
            System.arraycopy(values, offset + r0 * cols, dst, dstOffset, (r1 - r0) * cols);
        }
    }

    /** bfloat16 bit patterns (the upper half of a float32's bits), {@code bits[r*cols + c]}. */
    record Bf16(short[] bits, int rows, int cols) implements WeightMatrix {
        public Bf16 {
            check(rows, cols, bits.length);
        }

        /** {@code values[offset ..]} (rows x cols) rounded to bfloat16, to nearest with ties to even, as PyTorch's {@code .to(torch.bfloat16)}. */
        public static Bf16 rounded(float[] values, int offset, int rows, int cols) {
            short[] bits = new short[rows * cols];
            for (int i = 0; i < bits.length; i++) bits[i] = roundToBf16(values[offset + i]);
            return new Bf16(bits, rows, cols);
        }

        @Override
        public long bytes() {
            return 2L * rows * cols;
        }

        @Override
        public void widenRows(int r0, int r1, float[] dst, int dstOffset) {
            Widen.bf16(bits, r0 * cols, dst, dstOffset, (r1 - r0) * cols);
        }
    }

    /** One float rounded to the nearest bfloat16, ties to even; a NaN stays a (quiet) NaN. */
    static short roundToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x40);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }

    private static void check(int rows, int cols, int available) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("a weight matrix of " + rows + " x " + cols);
        if ((long) rows * cols > available) throw new IllegalArgumentException("a " + rows + " x " + cols + " weight matrix over " + available + " values");
    }
}
