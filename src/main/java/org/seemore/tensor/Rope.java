package org.seemore.tensor;

import org.seemore.tensor.kernels.RopeKernel;

/**
 * Rotary position embeddings (Su et al. 2021) on queries or keys, as Llama, Qwen2 and Mixtral apply
 * them: Hugging Face's "rotate half" layout ({@link RopeKernel}) with the angles of a
 * {@link RopeTable}. The input is {@code (..., T, H*hd)}: each row holds H heads of width hd
 * side by side (a q_proj or k_proj output before the heads are split), and every head of a row
 * turns by its row's position.
 *
 * <p>Positions are given per row: {@code positions.length} is either the number of rows (each its
 * own position: explicit ones in generation, e.g. {@code cumsum(attention_mask) - 1}) or T (the
 * same positions for every sequence of the batch: {@code 0 .. T-1} in a batch forward, where
 * padding does not shift them). The rotation is linear and orthogonal, so the backward rotates the
 * gradient back (the transpose). {@link RopeReference} is the plain version.
 */
public final class Rope {
    private Rope() {}

    /** x (..., T, H*hd) -> x rotated per row, H = {@code heads}, hd = the table's head width. */
    public static Tensor apply(Tensor x, int heads, RopeTable table, int[] positions) {
        int hd = table.headDim(), width = heads * hd;
        if (x.rank() < 2 || x.dim(-1) != width) {
            throw new IllegalArgumentException("rotary embeddings of " + heads + " heads of " + hd + " need x (..., T, " + width + "), got " + Shapes.str(x.shape()));
        }
        int rows = x.size() / width;
        int[] perRow = perRow(positions, rows, x.dim(-2));
        int max = 0;
        for (int p : perRow) {
            if (p < 0) throw new IllegalArgumentException("rotary positions must not be negative, got " + p);
            max = Math.max(max, p);
        }
        RopeTable.Snapshot angles = table.covering(max + 1);
        float[] xd = x.data(), out = StepArena.uninitialized(x.size());
        RopeKernel.rotate(xd, x.offset(), out, rows, heads, hd, perRow, angles.cos(), angles.sin(), false);
        return Tensor.result(out, x.shape(), o -> {
            float[] g = o.grad();
            RopeKernel.rotate(g, 0, g, rows, heads, hd, perRow, angles.cos(), angles.sin(), true); // gx = Rᵀ g, in place
            x.accumulateGrad(g);
        }, x);
    }

    /** One position per row: the given ones, or T of them repeated over the sequences. */
    static int[] perRow(int[] positions, int rows, int t) {
        if (positions.length == rows) return positions.clone();
        if (positions.length == t && t > 0 && rows % t == 0) {
            int[] out = new int[rows];
            for (int r = 0; r < rows; r++) out[r] = positions[r % t];
            return out;
        }
        throw new IllegalArgumentException(positions.length + " rotary positions for " + rows + " rows of " + t + " positions: give one per row or one per position");
    }
}
