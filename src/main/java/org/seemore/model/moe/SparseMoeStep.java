package org.seemore.model.moe;

import java.util.Arrays;
import org.seemore.model.VlmConfig;
import org.seemore.nn.Mlp;
import org.seemore.tensor.kernels.Activations;
import org.seemore.tensor.kernels.SoftmaxKernel;
import org.seemore.tensor.kernels.VectorMath;

/**
 * {@link SparseMoe} at inference on a few rows (one new token per sequence while decoding), on
 * preallocated buffers: per row, the router's logits (no noise: inference), the top-k experts
 * (descending, ties to the lower index), a softmax over their logits, and only those experts'
 * matrix-vector products; the outputs are added, weighted, in expert order, as
 * {@link SparseMoe#forward}'s scatter-add adds them. The capacity limit, when set, drops the same
 * assignments (rows in order). The weights are read from the layer's parameters at every call.
 */
public final class SparseMoeStep {
    private final SparseMoe moe;
    private final int width, hidden, numExperts, topK;
    private final double capacityFactor;
    private final float[] logits;   // (E)
    private final int[] experts;    // (rows*k) chosen experts, descending logit per row
    private final float[] chosen;   // (k) the chosen logits, then their softmax
    private final float[] weights;  // (rows*k)
    private final boolean[] kept;   // (rows*k) false where the capacity limit dropped the assignment
    private final int[] load;       // (E)
    private final float[] h;        // (hidden)
    private final float[] out;      // (C)

    /** Buffers for up to {@code maxRows} rows. */
    public SparseMoeStep(SparseMoe moe, VlmConfig config, int maxRows) {
        this.moe = moe;
        this.width = config.width();
        this.numExperts = config.numExperts();
        this.topK = config.topK();
        this.hidden = moe.experts.get(0).fc1.weight.dim(0);
        this.capacityFactor = config.capacityFactor();
        logits = new float[numExperts];
        experts = new int[maxRows * topK];
        chosen = new float[topK];
        weights = new float[maxRows * topK];
        kept = new boolean[maxRows * topK];
        load = new int[numExperts];
        h = new float[hidden];
        out = new float[width];
    }

    /** x (rows, C) -> y (rows, C), overwritten. */
    public void forward(float[] x, float[] y, int rows) {
        for (int r = 0; r < rows; r++) route(x, r * width, r);
        limitCapacity(rows);
        Arrays.fill(y, 0, rows * width, 0f);
        for (int r = 0; r < rows; r++) {
            for (int e = 0; e < numExperts; e++) { // in expert order, as the grouped scatter-add
                int slot = slotOf(r, e);
                if (slot < 0 || !kept[slot]) continue;
                expert(moe.experts.get(e), x, r * width);
                VectorMath.addScaled(weights[slot], out, 0, y, r * width, width);
            }
        }
    }

    /** The routing of row r: top-k of the gate's logits and the softmax over them. */
    private void route(float[] x, int xo, int r) {
        moe.router.gate.forwardRow(x, xo, logits, 0);
        int base = r * topK;
        for (int j = 0; j < topK; j++) {
            int best = -1;
            for (int e = 0; e < numExperts; e++) {
                if ((best < 0 || logits[e] > logits[best]) && !taken(base, j, e)) best = e;
            }
            experts[base + j] = best;
            chosen[j] = logits[best];
        }
        SoftmaxKernel.row(chosen, 0, chosen, 0, topK, topK, 1f);
        System.arraycopy(chosen, 0, weights, base, topK);
    }

    private boolean taken(int base, int count, int e) {
        for (int i = 0; i < count; i++) if (experts[base + i] == e) return true;
        return false;
    }

    /** SparseMoe's capacity rule: each expert keeps its first ceil(factor * rows * k / E) assignments, in row order. */
    private void limitCapacity(int rows) {
        int capacity = capacityFactor > 0 ? (int) Math.ceil(capacityFactor * rows * topK / numExperts) : Integer.MAX_VALUE;
        Arrays.fill(load, 0);
        for (int i = 0; i < rows * topK; i++) kept[i] = load[experts[i]]++ < capacity;
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
