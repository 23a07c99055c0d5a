package org.seemore.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A weight matrix that is only read (inference): {@code rows x cols} row-major, a Linear layer's
 * {@code [out, in]}, either float32 or bfloat16 bit patterns. bfloat16 halves the bytes a decoding
 * step streams from memory; {@link WeightProduct} widens it in registers. Either kind can be
 * widened row by row ({@link #widenRows}) for the products with many rows, which go to {@link Gemm}.
 * {@link Bf16Panels} holds bfloat16 in the order the few-row products read it (packed once at load).
 */
public sealed interface WeightMatrix permits WeightMatrix.F32, WeightMatrix.Bf16, WeightMatrix.Bf16Panels {

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

    /**
     * bfloat16 bit patterns packed in panels of {@link #PANEL} rows (a panel is that many outputs of
     * {@code x·Wᵀ}), each panel stored column by column: {@code bits[p*PANEL*cols + c*width + r%PANEL]} for
     * row r of panel {@code p = r/PANEL}, width PANEL except for a narrower last panel. A product with a
     * few rows of x then reads each panel as one sequential stream and, for each column, meets a whole
     * vector of outputs at once: no sums across lanes ({@link PanelProduct}). No padding, so the bytes
     * are those of {@link Bf16}.
     */
    record Bf16Panels(short[] bits, int rows, int cols) implements WeightMatrix {
        private static final ValueLayout.OfShort LITTLE_ENDIAN_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        /** Rows of W per panel: two vectors of outputs, so eight rows of x take 16 accumulators (of 32 AVX-512 registers). */
        public static final int PANEL = 2 * VectorMath.LANES;

        public Bf16Panels {
            check(rows, cols, bits.length);
        }

        /** The panels of a row-major bfloat16 matrix. */
        public static Bf16Panels of(Bf16 w) {
            Bf16Panels out = empty(w.rows(), w.cols());
            for (int r = 0; r < w.rows(); r++) out.putRow(r, w.bits(), r * w.cols());
            return out;
        }

        /**
         * The panels of a row-major bfloat16 matrix held as little-endian bytes, as a safetensors file
         * stores it: each row read once, in order, from {@code bytes} (a mapped file, say) into its place in
         * the panels, with no row-major copy of the whole matrix between.
         */
        public static Bf16Panels of(MemorySegment bytes, int rows, int cols) {
            if (bytes.byteSize() != 2L * rows * cols) {
                throw new IllegalArgumentException(bytes.byteSize() + " bytes for a " + rows + " x " + cols + " bfloat16 matrix");
            }
            Bf16Panels out = empty(rows, cols);
            short[] row = new short[cols];
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(bytes, LITTLE_ENDIAN_SHORT, 2L * r * cols, row, 0, cols);
                out.putRow(r, row, 0);
            }
            return out;
        }

        /** Zeros, to be filled row by row ({@link #putRow}). */
        public static Bf16Panels empty(int rows, int cols) {
            if (rows < 0 || cols < 0) throw new IllegalArgumentException("a weight matrix of " + rows + " x " + cols);
            return new Bf16Panels(new short[Math.multiplyExact(rows, cols)], rows, cols);
        }

        /** Row r of W, {@code cols} bit patterns from {@code src[offset ..]}, into its places ({@link #index}: a column's step is the panel's width). */
        public void putRow(int r, short[] src, int offset) {
            int p0 = r - r % PANEL, width = Math.min(PANEL, rows - p0), at = p0 * cols + r % PANEL;
            for (int c = 0; c < cols; c++) bits[at + c * width] = src[offset + c];
        }

        /** Where W[r, c] is in {@link #bits}. */
        public int index(int r, int c) {
            int p0 = r - r % PANEL;
            return p0 * cols + c * Math.min(PANEL, rows - p0) + r % PANEL;
        }

        /** The row-major matrix again. */
        public Bf16 unpacked() {
            short[] out = new short[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) out[r * cols + c] = bits[index(r, c)];
            }
            return new Bf16(out, rows, cols);
        }

        @Override
        public long bytes() {
            return 2L * rows * cols;
        }

        /** Row by row, gathering across the panel (an embedding's lookups; the prefill widens panels whole, {@link PanelProduct#widenColumns}). */
        @Override
        public void widenRows(int r0, int r1, float[] dst, int dstOffset) {
            for (int r = r0; r < r1; r++) {
                int p0 = r - r % PANEL, width = Math.min(PANEL, rows - p0), at = p0 * cols + r % PANEL, d = dstOffset + (r - r0) * cols;
                for (int c = 0; c < cols; c++) dst[d + c] = Float.intBitsToFloat((bits[at + c * width] & 0xFFFF) << 16);
            }
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
