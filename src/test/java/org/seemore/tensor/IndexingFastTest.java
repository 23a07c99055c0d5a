package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Index ops and the fused expert combine against {@link IndexingReference}. */
class IndexingFastTest {
    private final Rng rng = new Rng(8);

    @Test
    void indexSelectAndIndexAdd() {
        for (int width : new int[] {1, 3, 17, 33, 65}) {
            int[] index = {4, 0, 4, 2, 2, 1};
            compare("indexSelect " + width, in -> Indexing.indexSelect(in.get(0), index), in -> IndexingReference.indexSelect(in.get(0), index),
                    random(rng, 1f, 5, width));
            compare("indexAdd " + width, in -> Indexing.indexAdd(in.get(0), index, in.get(1)), in -> IndexingReference.indexAdd(in.get(0), index, in.get(1)),
                    random(rng, 1f, 5, width), random(rng, 1f, index.length, width));
        }
    }

    /** A random top-k routing of n tokens to e experts: per expert, its tokens and their (token, slot) indices. */
    private record Routing(int[][] rows, int[][] slots) {}

    private Routing route(int n, int experts, int k) {
        List<List<Integer>> rows = new ArrayList<>(), slots = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            rows.add(new ArrayList<>());
            slots.add(new ArrayList<>());
        }
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < k; j++) {
                int e = (rng.nextInt(experts - 1) + j) % (experts - 1); // the last expert gets nothing
                rows.get(e).add(t);
                slots.get(e).add(t * k + j);
            }
        }
        int[][] r = new int[experts][], s = new int[experts][];
        for (int e = 0; e < experts; e++) {
            r[e] = rows.get(e).stream().mapToInt(Integer::intValue).toArray();
            s[e] = slots.get(e).stream().mapToInt(Integer::intValue).toArray();
        }
        return new Routing(r, s);
    }

    @Test
    void weightedScatterAddEqualsTheChainOfIndexAdds() {
        for (int width : new int[] {1, 17, 33, 128}) {
            int n = 37, experts = 5, k = 2;
            Routing routing = route(n, experts, k);
            Tensor[] inputs = new Tensor[experts];
            for (int e = 0; e < experts - 1; e++) inputs[e] = random(rng, 1f, routing.rows()[e].length, width);
            inputs[experts - 1] = random(rng, 1f, n, k); // the router weights (N, k)
            compare("weightedScatterAdd width " + width,
                    in -> Indexing.weightedScatterAdd(n, width, sources(in, experts), routing.rows(), in.get(experts - 1), routing.slots()),
                    in -> IndexingReference.weightedScatterAdd(n, width, sources(in, experts), routing.rows(), in.get(experts - 1), routing.slots()),
                    inputs);
        }
    }

    @Test
    void weightedScatterAddWithARepeatedSourceAndSlot() {
        int[][] rows = {{0, 1}, {1}, {2, 0}}, slots = {{0, 1}, {1}, {3, 2}};
        compare("weightedScatterAdd, repeats", in -> Indexing.weightedScatterAdd(3, 17, new Tensor[] {in.get(0), in.get(1), in.get(0)}, rows, in.get(2), slots),
                in -> IndexingReference.weightedScatterAdd(3, 17, new Tensor[] {in.get(0), in.get(1), in.get(0)}, rows, in.get(2), slots),
                random(rng, 1f, 2, 17), random(rng, 1f, 1, 17), random(rng, 1f, 4));
    }

    @Test
    void weightedScatterAddForwardIsBitwiseTheChain() {
        int n = 65, width = 33, experts = 4;
        Routing routing = route(n, experts, 2);
        Tensor[] sources = new Tensor[experts];
        for (int e = 0; e < experts - 1; e++) sources[e] = random(rng, 1f, routing.rows()[e].length, width);
        Tensor weights = random(rng, 1f, n, 2);
        try (var g = GradMode.noGrad()) {
            assertThat(Indexing.weightedScatterAdd(n, width, sources, routing.rows(), weights, routing.slots()).toArray())
                    .containsExactly(IndexingReference.weightedScatterAdd(n, width, sources, routing.rows(), weights, routing.slots()).toArray());
        }
    }

    private static Tensor[] sources(List<Tensor> in, int experts) {
        Tensor[] s = new Tensor[experts];
        for (int e = 0; e < experts - 1; e++) s[e] = in.get(e);
        return s; // the last expert has no tokens: null
    }
}
