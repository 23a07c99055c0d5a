package org.seemore.model.moe;

import java.util.Arrays;
import org.seemore.nn.Mlp;
import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.VectorMath;

/**
 * {@link SparseMoe}'s decoding path, on a few rows (one new token per sequence) and preallocated
 * buffers: per row, the router's gate logits (no noise: inference), {@link Routing#route} as in
 * training, and only the chosen experts' matrix-vector products; the outputs are added, weighted, in
 * expert order, as {@link SparseMoe#forward}'s grouped op adds them. The weights are read from the
 * layer's parameters at every call.
 */
public final class SparseMoeStep {
    private final SparseMoe moe;
    private final int width, hidden, numExperts, topK;
    private final float[] logits;   // (rows, E)
    private final int[] experts;    // (rows*k) chosen experts, descending logit per row
    private final float[] weights;  // (rows*k)
    private final boolean[] kept;   // (rows*k) false where the capacity limit dropped the assignment
    private final int[] load;       // (E)
    private final float[] h;        // (hidden)
    private final float[] out;      // (C)

    /** Buffers for up to {@code maxRows} rows. */
    SparseMoeStep(SparseMoe moe, int maxRows) {
        this.moe = moe;
        this.numExperts = moe.config.numExperts();
        this.topK = moe.config.topK();
        this.width = moe.experts.get(0).fc1.weight.dim(1);
        this.hidden = moe.experts.get(0).fc1.weight.dim(0);
        logits = new float[maxRows * numExperts];
        experts = new int[maxRows * topK];
        weights = new float[maxRows * topK];
        kept = new boolean[maxRows * topK];
        load = new int[numExperts];
        h = new float[hidden];
        out = new float[width];
    }

    /** x (rows, C) -> y (rows, C), overwritten. */
    public void forward(float[] x, float[] y, int rows) {
        for (int r = 0; r < rows; r++) moe.router.gate.forwardRow(x, r * width, logits, r * numExperts);
        Routing.route(logits, 0, rows, numExperts, topK, moe.config.capacity(rows), experts, weights, kept, load);
        Arrays.fill(y, 0, rows * width, 0f);
        for (int r = 0; r < rows; r++) {
            for (int e = 0; e < numExperts; e++) { // in expert order, as the grouped op adds them
                int slot = slotOf(r, e);
                if (slot < 0 || !kept[slot]) continue;
                expert(moe.experts.get(e), x, r * width);
                VectorMath.addScaled(weights[slot], out, 0, y, r * width, width);
            }
        }
    }

    /** The experts the last {@link #forward} chose, row by row ({@code rows*k}, descending logit per row); a view, overwritten by the next call. */
    public int[] chosen() {
        return experts;
    }

    /** The slot (row*k + j) where row r chose expert e, or -1. */
    private int slotOf(int r, int e) {
        for (int j = 0; j < topK; j++) if (experts[r * topK + j] == e) return r * topK + j;
        return -1;
    }

    /** out = fc2(act(fc1(x row))). */
    private void expert(Mlp mlp, float[] x, int xo) {
        mlp.fc1.forwardRow(x, xo, h, 0);
        if (mlp.activation() == Mlp.Activation.RELU) Activations.relu(h, 0, h, hidden);
        else Activations.gelu(h, 0, h, hidden);
        mlp.fc2.forwardRow(h, 0, out, 0);
    }
}
