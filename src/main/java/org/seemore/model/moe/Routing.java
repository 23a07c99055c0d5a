package org.seemore.model.moe;

import java.util.Arrays;
import org.seemore.tensor.kernels.SoftmaxKernel;

/**
 * The routing rule of the MoE layers, one function for training and decoding: for each row of
 * router logits, the k largest (descending, ties to the lower index), weighted by a softmax over
 * those k logits only (renormalised over the chosen, as Shazeer et al. 2017 and Mixtral do); then
 * each expert keeps its first {@code capacity} assignments in row order and the rest are dropped
 * (Switch Transformer, Fedus et al. 2022).
 */
public final class Routing {
    private Routing() {}

    /**
     * Routes {@code rows} rows of {@code logits} (rows, E) from {@code offset}. Writes, for assignment
     * {@code i = row * k + j}: {@code experts[i]} the j-th choice, {@code weights[i]} its weight and
     * {@code kept[i]} whether it is within its expert's capacity. {@code load} (E) is scratch.
     *
     * @return the number of assignments dropped by the capacity limit
     */
    public static int route(float[] logits, int offset, int rows, int numExperts, int topK, int capacity,
                            int[] experts, float[] weights, boolean[] kept, int[] load) {
        for (int r = 0; r < rows; r++) {
            int base = offset + r * numExperts, slot = r * topK;
            for (int j = 0; j < topK; j++) {
                int best = -1;
                for (int e = 0; e < numExperts; e++) {
                    if ((best < 0 || logits[base + e] > logits[base + best]) && !chosen(experts, slot, j, e)) best = e;
                }
                experts[slot + j] = best;
                weights[slot + j] = logits[base + best];
            }
            SoftmaxKernel.row(weights, slot, weights, slot, topK, topK, 1f);          // (k) over the chosen logits
        }
        Arrays.fill(load, 0, numExperts, 0);
        int dropped = 0;
        for (int i = 0; i < rows * topK; i++) {
            kept[i] = load[experts[i]]++ < capacity;
            if (!kept[i]) dropped++;
        }
        return dropped;
    }

    private static boolean chosen(int[] experts, int slot, int count, int e) {
        for (int i = 0; i < count; i++) if (experts[slot + i] == e) return true;
        return false;
    }
}
