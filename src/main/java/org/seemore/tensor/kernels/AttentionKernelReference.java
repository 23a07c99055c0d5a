package org.seemore.tensor.kernels;

import org.seemore.tensor.kernels.AttentionKernel.KeyMask;
import org.seemore.tensor.kernels.AttentionKernel.Strided;

/**
 * The plain version of {@link AttentionKernel} it is tested against: one head's attention and its
 * gradients as loops over the formulas, in double, the probabilities recomputed rather than kept.
 * Same legend and causal rule: tq queries over tk keys of width hd, query i seeing keys
 * {@code j < min(tk, i + tk - tq + 1)} when causal, and only those a {@link KeyMask} keeps; a query
 * that sees no key has probability 1/tk on every key (Hugging Face's eager attention, where all its
 * scores round to finfo.min), whatever its scores, which then get no gradient.
 */
public final class AttentionKernelReference {
    private AttentionKernelReference() {}

    /** Writes {@code y = softmax(scale · q·kᵀ) · v} for one head, as {@link AttentionKernel#forward}. */
    public static void forward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, float scale, Strided y) {
        forward(q, k, v, tq, tk, hd, causal, null, scale, y);
    }

    /** As the forward above, with the keys {@code mask} drops left out (null: none). */
    public static void forward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, KeyMask mask, float scale, Strided y) {
        double[][] p = probabilities(q, k, tq, tk, hd, causal, mask, scale);
        for (int i = 0; i < tq; i++) {
            for (int d = 0; d < hd; d++) {
                double sum = 0;
                for (int j = 0; j < tk; j++) sum += p[i][j] * at(v, j, d);
                y.data()[y.offset() + i * y.ld() + d] = (float) sum;
            }
        }
    }

    /**
     * Adds one head's gradients from {@code gy} into gq, gk and gv, as {@link AttentionKernel#backward}:
     * {@code dP = gy·vᵀ}, {@code dv += Pᵀ·gy}, {@code dS = scale · P ⊙ (dP − rowsum(dP ⊙ P))},
     * {@code dq += dS·k}, {@code dk += dSᵀ·q}.
     */
    public static void backward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, float scale,
                                Strided gy, Strided gq, Strided gk, Strided gv) {
        backward(q, k, v, tq, tk, hd, causal, null, scale, gy, gq, gk, gv);
    }

    /** As the backward above, for the forward with a {@link KeyMask} (null: none). */
    public static void backward(Strided q, Strided k, Strided v, int tq, int tk, int hd, boolean causal, KeyMask mask, float scale,
                                Strided gy, Strided gq, Strided gk, Strided gv) {
        double[][] p = probabilities(q, k, tq, tk, hd, causal, mask, scale), ds = new double[tq][tk];
        for (int i = 0; i < tq; i++) {
            double[] dp = new double[tk];
            double rowSum = 0;
            for (int j = 0; j < tk; j++) {
                for (int d = 0; d < hd; d++) dp[j] += at(gy, i, d) * at(v, j, d);
                rowSum += dp[j] * p[i][j];
            }
            if (!seesAny(mask, i, tq, tk, causal)) continue; // uniform whatever the scores: no gradient reaches them
            for (int j = 0; j < tk; j++) ds[i][j] = scale * p[i][j] * (dp[j] - rowSum);
        }
        for (int j = 0; j < tk; j++) {
            for (int d = 0; d < hd; d++) {
                double dv = 0, dk = 0;
                for (int i = 0; i < tq; i++) {
                    dv += p[i][j] * at(gy, i, d);
                    dk += ds[i][j] * at(q, i, d);
                }
                add(gv, j, d, dv);
                add(gk, j, d, dk);
            }
        }
        for (int i = 0; i < tq; i++) {
            for (int d = 0; d < hd; d++) {
                double dq = 0;
                for (int j = 0; j < tk; j++) dq += ds[i][j] * at(k, j, d);
                add(gq, i, d, dq);
            }
        }
    }

    /** The attention probabilities {@code P[i][j]}: zero where query i does not see key j, 1/tk everywhere in a row that sees none. */
    private static double[][] probabilities(Strided q, Strided k, int tq, int tk, int hd, boolean causal, KeyMask mask, float scale) {
        double[][] p = new double[tq][tk];
        for (int i = 0; i < tq; i++) {
            int visible = causal ? Math.min(tk, i + tk - tq + 1) : tk;
            boolean[] sees = new boolean[tk];
            boolean any = false;
            for (int j = 0; j < visible; j++) any |= sees[j] = mask == null || mask.keep()[mask.offset() + j] != 0;
            if (!any) {
                java.util.Arrays.fill(p[i], 1.0 / tk);
                continue;
            }
            double max = Double.NEGATIVE_INFINITY, total = 0;
            for (int j = 0; j < tk; j++) {
                if (!sees[j]) continue;
                double s = 0;
                for (int d = 0; d < hd; d++) s += at(q, i, d) * at(k, j, d);
                p[i][j] = s * scale;
                max = Math.max(max, p[i][j]);
            }
            for (int j = 0; j < tk; j++) if (sees[j]) total += p[i][j] = Math.exp(p[i][j] - max);
            for (int j = 0; j < tk; j++) p[i][j] /= total;
        }
        return p;
    }

    /** Whether query i sees any key. */
    private static boolean seesAny(KeyMask mask, int i, int tq, int tk, boolean causal) {
        int visible = causal ? Math.min(tk, i + tk - tq + 1) : tk;
        for (int j = 0; j < visible; j++) if (mask == null || mask.keep()[mask.offset() + j] != 0) return true;
        return false;
    }

    private static double at(Strided m, int row, int column) {
        return m.data()[m.offset() + row * m.ld() + column];
    }

    private static void add(Strided m, int row, int column, double value) {
        m.data()[m.offset() + row * m.ld() + column] += (float) value;
    }
}
