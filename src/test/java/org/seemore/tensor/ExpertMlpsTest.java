package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What the pair harness does not see of {@link ExpertMlps}: frozen parts get no gradient, bad routing is rejected. */
class ExpertMlpsTest {
    private final Rng rng = new Rng(41);

    @Test
    void frozenExpertsAndInputsGetNoGradient() {
        Tensor x = Tensor.of(rng.normal(4 * 3, 0, 1), 4, 3), weights = Tensor.of(rng.uniform(4, 0, 1), 4);
        Tensor w1 = Tensor.of(rng.normal(5 * 3, 0, 1), 5, 3), b1 = Tensor.zeros(5), w2 = Tensor.of(rng.normal(3 * 5, 0, 1), 3, 5);
        Tensor b2 = Tensor.zeros(3).requiresGrad(true);
        ExpertMlps.Expert[] ex = {new ExpertMlps.Expert(w1, b1, w2, b2)};
        Reductions.sumAll(ExpertMlps.forward(x, ex, new int[][] {{0, 1, 2, 3}}, new int[][] {{0, 1, 2, 3}}, weights)).backward();
        assertThat(b2.grad()).isNotNull();
        assertThat(w1.grad()).isNull();
        assertThat(x.grad()).isNull();
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
