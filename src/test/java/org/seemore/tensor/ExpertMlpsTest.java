package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.kernels.Parallel;

/** The fused experts op against gathering, two linears with a ReLU, and the weighted scatter-add. */
class ExpertMlpsTest {
    private final Rng rng = new Rng(41);

    private static ExpertMlps.Expert[] experts(List<Tensor> w) {
        ExpertMlps.Expert[] out = new ExpertMlps.Expert[w.size() / 4];
        for (int e = 0; e < out.length; e++) out[e] = new ExpertMlps.Expert(w.get(4 * e), w.get(4 * e + 1), w.get(4 * e + 2), w.get(4 * e + 3));
        return out;
    }

    /** Routes n tokens to k of the experts each (random, distinct per token), dropping assignments beyond {@code capacity}. */
    private void check(int n, int c, int h, int count, int k, int capacity, int threads) {
        int[] routes = new int[n * k];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < k; j++) {
                int e;
                do { e = rng.nextInt(count); } while (contains(routes, t * k, j, e));
                routes[t * k + j] = e;
            }
        }
        List<List<Integer>> rowList = new ArrayList<>(), slotList = new ArrayList<>();
        for (int e = 0; e < count; e++) { rowList.add(new ArrayList<>()); slotList.add(new ArrayList<>()); }
        for (int i = 0; i < routes.length; i++) {
            if (rowList.get(routes[i]).size() == capacity) continue;
            rowList.get(routes[i]).add(i / k);
            slotList.get(routes[i]).add(i);
        }
        int[][] rows = new int[count][], slots = new int[count][];
        for (int e = 0; e < count; e++) {
            rows[e] = rowList.get(e).stream().mapToInt(Integer::intValue).toArray();
            slots[e] = slotList.get(e).stream().mapToInt(Integer::intValue).toArray();
        }
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(random(rng, 1f, n, c));
        inputs.add(random(rng, 1f, n * k));
        for (int e = 0; e < count; e++) {
            boolean used = rows[e].length > 0; // an expert with no rows gets no gradient, in either version
            // weights at the usual 1/sqrt(fan-in) scale, so that activations stay O(1) at every size
            float s1 = (float) (1 / Math.sqrt(c)), s2 = (float) (1 / Math.sqrt(h));
            for (Tensor w : new Tensor[] {random(rng, s1, h, c), random(rng, s1, h), random(rng, s2, c, h), random(rng, s2, c)}) {
                inputs.add(used ? w : Tensor.of(w.toArray(), w.shape()));
            }
        }
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            compare(String.format("experts N=%d C=%d H=%d E=%d k=%d capacity=%d threads=%d", n, c, h, count, k, capacity, threads),
                    in -> ExpertMlps.forward(in.get(0), experts(in.subList(2, in.size())), rows, slots, in.get(1)),
                    in -> ExpertMlpsReference.forward(in.get(0), experts(in.subList(2, in.size())), rows, slots, in.get(1)),
                    inputs.toArray(Tensor[]::new));
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static boolean contains(int[] a, int from, int len, int v) {
        for (int i = 0; i < len; i++) if (a[from + i] == v) return true;
        return false;
    }

    @Test
    void oddSizesMatchTheComposedOps() {
        check(1, 3, 5, 2, 1, Integer.MAX_VALUE, 1);
        check(17, 5, 9, 4, 2, Integer.MAX_VALUE, 2);
        check(33, 16, 64, 8, 2, Integer.MAX_VALUE, 2);
        check(40, 17, 33, 6, 3, Integer.MAX_VALUE, 3);
        check(3, 8, 8, 8, 2, Integer.MAX_VALUE, 2);       // most experts get no rows
        check(65, 32, 128, 8, 2, 9, 2);                   // capacity drops assignments
    }

    @Test
    void modelSizedExpertsOnBothThreadCounts() {
        check(260, 128, 512, 8, 2, Integer.MAX_VALUE, 1);
        check(260, 128, 512, 8, 2, Integer.MAX_VALUE, 2);
    }

    @Test
    void frozenExpertsAndInputsGetNoGradient() {
        Tensor x = Tensor.of(rng.normal(4 * 3, 0, 1), 4, 3), weights = Tensor.of(rng.uniform(4, 0, 1), 4);
        Tensor w1 = Tensor.of(rng.normal(5 * 3, 0, 1), 5, 3), b1 = Tensor.zeros(5), w2 = Tensor.of(rng.normal(3 * 5, 0, 1), 3, 5);
        Tensor b2 = Tensor.zeros(3).requiresGrad(true);
        ExpertMlps.Expert[] ex = {new ExpertMlps.Expert(w1, b1, w2, b2)};
        Reductions.sumAll(ExpertMlps.forward(x, ex, new int[][] {{0, 1, 2, 3}}, new int[][] {{0, 1, 2, 3}}, weights)).backward();
        org.assertj.core.api.Assertions.assertThat(b2.grad()).isNotNull();
        org.assertj.core.api.Assertions.assertThat(w1.grad()).isNull();
        org.assertj.core.api.Assertions.assertThat(x.grad()).isNull();
    }

    @Test
    void rejectsASlotUsedTwiceAndRowsOutOfRange() {
        Tensor x = Tensor.zeros(2, 3), weights = Tensor.zeros(4);
        ExpertMlps.Expert ex = new ExpertMlps.Expert(Tensor.zeros(5, 3), Tensor.zeros(5), Tensor.zeros(3, 5), Tensor.zeros(3));
        assertThatThrownBy(() -> ExpertMlps.forward(x, new ExpertMlps.Expert[] {ex, ex}, new int[][] {{0}, {1}}, new int[][] {{2}, {2}}, weights))
                .hasMessageContaining("slot 2 is used twice");
        assertThatThrownBy(() -> ExpertMlps.forward(x, new ExpertMlps.Expert[] {ex}, new int[][] {{2}}, new int[][] {{0}}, weights))
                .hasMessageContaining("row 2 out of range");
    }
}
