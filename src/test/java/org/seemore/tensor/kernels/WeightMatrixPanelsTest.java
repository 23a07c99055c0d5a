package org.seemore.tensor.kernels;

import static org.assertj.core.api.Assertions.assertThat;

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
}
