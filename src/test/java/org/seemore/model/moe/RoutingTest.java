package org.seemore.model.moe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.seemore.model.ForwardContext;
import org.seemore.nn.Params;
import org.seemore.tensor.GradMode;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/** The one routing rule, and the training and decoding paths that both follow it. */
class RoutingTest {

    private record Routed(int[] experts, float[] weights, boolean[] kept, int dropped) {}

    private static Routed route(float[] logits, int numExperts, int topK, int capacity) {
        int rows = logits.length / numExperts;
        int[] experts = new int[rows * topK];
        float[] weights = new float[rows * topK];
        boolean[] kept = new boolean[rows * topK];
        int dropped = Routing.route(logits, 0, rows, numExperts, topK, capacity, experts, weights, kept, new int[numExperts]);
        return new Routed(experts, weights, kept, dropped);
    }

    @Test
    void choosesTheLargestLogitsInDescendingOrderWithTiesToTheLowerIndex() {
        float[] logits = {
                1f, 3f, 3f, 0f,   // a tie for first: 1 before 2
                2f, 2f, 2f, 2f,   // all equal: 0, 1
                -1f, -5f, 4f, 9f, // 3, then 2
        };
        Routed r = route(logits, 4, 2, Integer.MAX_VALUE);
        assertThat(r.experts()).containsExactly(1, 2, 0, 1, 3, 2);
        assertThat(r.dropped()).isZero();
        assertThat(r.kept()).containsOnly(true);
    }

    @Test
    void weighsTheChosenBySoftmaxOverTheirLogitsOnly() {
        float[] logits = {0.5f, -2f, 1.5f, 0.25f, 3f, -1f};
        Routed r = route(logits, 3, 2, Integer.MAX_VALUE);
        assertThat(r.experts()).containsExactly(2, 0, 1, 0);
        double w = 1 / (1 + Math.exp(0.5 - 1.5));   // softmax over {1.5, 0.5}; expert 1's -2 plays no part
        assertThat((double) r.weights()[0]).isCloseTo(w, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) r.weights()[1]).isCloseTo(1 - w, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) r.weights()[2] + r.weights()[3]).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void eachExpertKeepsItsFirstAssignmentsInRowOrderUpToItsCapacity() {
        // rows pick (0, 1), (0, 2), (1, 0), (3, 2); a capacity of 1 keeps each expert's first
        float[] logits = {
                5f, 4f, 0f, 0f,
                5f, 0f, 4f, 0f,
                4f, 5f, 0f, 0f,
                0f, 0f, 4f, 5f,
        };
        Routed r = route(logits, 4, 2, new MoeConfig(4, 2, 0.5, 0, 0).capacity(4));
        assertThat(r.experts()).containsExactly(0, 1, 0, 2, 1, 0, 3, 2);
        assertThat(r.kept()).containsExactly(true, true, false, true, false, false, true, false);
        assertThat(r.dropped()).isEqualTo(4);
    }

    @Test
    void theTrainingRouterAndTheDecodingStepRouteAndWeighAlike() {
        MoeConfig config = new MoeConfig(6, 2, 0.6, 0.01, 0);
        int width = 16, rows = 5;
        SparseMoe moe = new SparseMoe(new Params(new Rng(3)), width, config);
        Tensor x = Tensor.of(new Rng(4).normal(rows * width, 0f, 1f), rows, width);
        try (var g = GradMode.noGrad()) {
            Router.Decision decision = moe.router.route(x, 0, ForwardContext.inference());
            Routed plain = route(decision.logits().toArray(), config.numExperts(), config.topK(), config.capacity(rows));
            assertThat(decision.experts()).containsExactly(plain.experts());
            assertThat(decision.weights().toArray()).containsExactly(plain.weights());
            assertThat(decision.kept()).containsExactly(plain.kept());
            assertThat(decision.dropped()).isEqualTo(plain.dropped()).isPositive();

            SparseMoe.Output tensors = moe.forward(x, 0, ForwardContext.inference(), false);
            float[] y = new float[rows * width];
            moe.newStep(rows).forward(x.toArray(), y, rows);
            float[] expected = tensors.y().toArray();
            for (int i = 0; i < y.length; i++) {
                assertThat((double) y[i]).as("element %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }
}
