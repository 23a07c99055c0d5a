package org.seemore.tensor;

/**
 * The plain version of {@link ExpertMlps} that it is tested against: the experts as a chain of
 * separate ops, as a model would write them. For each expert e with rows: gather its rows
 * ({@code indexSelect}), {@code fc2(relu(fc1(.)))} with {@link Linalg#linear} (whose products are
 * {@code Gemm}'s, checked against {@code GemmReference}), then the router-weighted combine: select
 * its weights {@code weights[slots[e]]}, multiply its rows, and index-add them at {@code rows[e]}
 * into a copy of the running sum. Legend: N tokens, C width.
 */
final class ExpertMlpsReference {
    private ExpertMlpsReference() {}

    /** x (N, C), the experts, their rows and router-weight slots, the weights -> y (N, C); as {@link ExpertMlps#forward}. */
    static Tensor forward(Tensor x, ExpertMlps.Expert[] experts, int[][] rows, int[][] slots, Tensor weights) {
        int n = x.dim(0), c = x.dim(1);
        Tensor flat = Shaping.reshape(weights, weights.size(), 1);
        Tensor y = Tensor.zeros(n, c);
        for (int e = 0; e < experts.length; e++) {
            if (rows[e].length == 0) continue;
            ExpertMlps.Expert ex = experts[e];
            Tensor h = ElementwiseReference.relu(Linalg.linear(IndexingReference.indexSelect(x, rows[e]), ex.fc1Weight(), ex.fc1Bias())); // (n_e, H)
            Tensor out = Linalg.linear(h, ex.fc2Weight(), ex.fc2Bias());                                                                  // (n_e, C)
            y = IndexingReference.indexAdd(y, rows[e], ElementwiseReference.mul(out, IndexingReference.indexSelect(flat, slots[e])));
        }
        return y;
    }
}
