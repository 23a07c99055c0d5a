package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.tensor.FastVsReference.random;

import org.junit.jupiter.api.Test;

/** What the pair harness does not see of {@link NnOps}: a loss with no counted row, and how far dropout moves the generator. */
class NnOpsTest {
    private final Rng rng = new Rng(77);

    @Test
    void crossEntropyWithEveryTargetIgnoredIsZero() {
        int[] none = {NnOps.IGNORE_INDEX, NnOps.IGNORE_INDEX};
        assertThat(NnOps.crossEntropy(random(rng, 1f, 2, 3), none).item()).isEqualTo(0f);
    }

    @Test
    void dropoutAdvancesTheGeneratorAsFarAsTheReference() {
        for (int n : new int[] {1, 3, 17, 127, 100_003}) {
            Rng fastRng = new Rng(n), refRng = new Rng(n);
            fastRng.nextGaussian(); // leaves a spare normal in the state, which must survive
            refRng.nextGaussian();
            Tensor x = random(rng, 1f, n);
            NnOps.dropout(x, 0.3f, fastRng);
            NnOpsReference.dropout(x, 0.3f, refRng);
            assertThat(fastRng.state()).as("generator state after dropout of %d", n).containsExactly(refRng.state());
        }
    }
}
