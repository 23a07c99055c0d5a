package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link WeightMatrix.Bf16Panels}: the packing keeps every bit, in the order the panel kernels read. */
class WeightMatrixPanelsTest {
    private static final int P = WeightMatrix.Bf16Panels.PANEL;

    @Test
    void packingKeepsEveryWeightAndWidensAsTheRowMajorMatrix() {
        int rows = 2 * P + 5, cols = 7; // two whole panels and a narrow one
        SplittableRandom random = new SplittableRandom(11);
        short[] bits = new short[rows * cols];
        for (int i = 0; i < bits.length; i++) bits[i] = (short) random.nextInt(1 << 16);
        WeightMatrix.Bf16 rowMajor = new WeightMatrix.Bf16(bits, rows, cols);
        WeightMatrix.Bf16Panels panels = WeightMatrix.Bf16Panels.of(rowMajor);
        assertThat(panels.unpacked().bits()).containsExactly(bits);
        assertThat(panels.bytes()).isEqualTo(rowMajor.bytes());
        // column c of a whole panel is P consecutive shorts; the narrow panel's columns are 5 wide
        assertThat(panels.bits()[3 * P + 1]).isEqualTo(bits[1 * cols + 3]);
        assertThat(panels.bits()[2 * P * cols + 4 * 5 + 2]).isEqualTo(bits[(2 * P + 2) * cols + 4]);
        float[] want = new float[(rows - 3) * cols], got = new float[want.length];
        rowMajor.widenRows(3, rows, want, 0);
        panels.widenRows(3, rows, got, 0);
        assertThat(got).containsExactly(want);
    }

    @Test
    void packingFromLittleEndianBytesEqualsPackingTheRowMajorMatrix() {
        for (int[] size : new int[][] {{2 * P + 5, 7}, {P, 1}, {3, 33}, {P + 1, 2 * P + 3}}) {
            int rows = size[0], cols = size[1];
            SplittableRandom random = new SplittableRandom(rows * 31L + cols);
            short[] bits = new short[rows * cols];
            ByteBuffer stored = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN); // as a safetensors file holds them
            for (int i = 0; i < bits.length; i++) stored.putShort(bits[i] = (short) random.nextInt(1 << 16));

            WeightMatrix.Bf16Panels packed = WeightMatrix.Bf16Panels.of(MemorySegment.ofArray(stored.array()), rows, cols);

            assertThat(packed.bits()).as(rows + " x " + cols).containsExactly(WeightMatrix.Bf16Panels.of(new WeightMatrix.Bf16(bits, rows, cols)).bits());
        }
        assertThatThrownBy(() -> WeightMatrix.Bf16Panels.of(MemorySegment.ofArray(new byte[10]), 2, 3))
                .hasMessage("10 bytes for a 2 x 3 bfloat16 matrix");
    }

    @Test
    void aRowPutIntoEmptyPanelsIsFoundAtItsIndex() {
        int rows = P + 3, cols = 5;
        WeightMatrix.Bf16Panels panels = WeightMatrix.Bf16Panels.empty(rows, cols);
        short[] row = {0, 11, 12, 13, 14, 15, 99}; // offset 1: the five values 11..15
        panels.putRow(P + 1, row, 1);
        for (int c = 0; c < cols; c++) assertThat(panels.bits()[panels.index(P + 1, c)]).isEqualTo((short) (11 + c));
        short[] unpacked = panels.unpacked().bits();
        for (int i = 0; i < unpacked.length; i++) assertThat(unpacked[i]).isEqualTo(i / cols == P + 1 ? (short) (11 + i % cols) : (short) 0);
    }
}
