package org.seemore.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.seemore.tensor.FastVsReference.compare;
import static org.seemore.tensor.FastVsReference.random;

import org.junit.jupiter.api.Test;

/** The vectorized fused ops against {@link NnOpsReference} on odd and large sizes. */
class NnOpsFastTest {
    private final Rng rng = new Rng(77);
    private static final int[] SIZES = {1, 3, 17, 33, 65, 127};

    @Test
    void layerNorm() {
        for (int c : SIZES) {
            for (int rows : new int[] {1, 5, 33}) {
                Tensor x = random(rng, 3f, rows, c), w = random(rng, 1f, c), b = random(rng, 1f, c);
                compare("layerNorm " + rows + "x" + c, in -> NnOps.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f),
                        in -> NnOpsReference.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f), x, w, b);
            }
        }
        Tensor x = random(rng, 3f, 4, 37, 512), w = random(rng, 1f, 512), b = random(rng, 1f, 512); // parallel, many blocks
        compare("layerNorm ViT-sized", in -> NnOps.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f),
                in -> NnOpsReference.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f), x, w, b);
        Tensor frozen = Tensor.of(rng.uniform(65, -1f, 1f), 65);
        compare("layerNorm, frozen weight", in -> NnOps.layerNorm(in.get(0), frozen, in.get(1), 1e-5f),
                in -> NnOpsReference.layerNorm(in.get(0), frozen, in.get(1), 1e-5f), random(rng, 2f, 7, 65), random(rng, 1f, 65));
    }

    @Test
    void softmaxPlainAndCausal() {
        for (int n : SIZES) {
            compare("softmax 5x" + n, in -> NnOps.softmax(in.get(0), false), in -> NnOpsReference.softmax(in.get(0), false), random(rng, 4f, 5, n));
            compare("causal softmax " + n, in -> NnOps.softmax(in.get(0), true), in -> NnOpsReference.softmax(in.get(0), true), random(rng, 4f, 2, n, n));
            compare("causal suffix 3x" + n, in -> NnOps.softmax(in.get(0), true), in -> NnOpsReference.softmax(in.get(0), true),
                    random(rng, 4f, 2, Math.min(3, n), n));
        }
        compare("causal softmax, attention-sized", in -> NnOps.softmax(in.get(0), true), in -> NnOpsReference.softmax(in.get(0), true),
                random(rng, 4f, 16, 8, 65, 65));
    }

    @Test
    void crossEntropyAndLogSumExp() {
        for (int v : SIZES) {
            int rows = 37;
            int[] targets = new int[rows];
            for (int r = 0; r < rows; r++) targets[r] = r % 5 == 0 ? NnOps.IGNORE_INDEX : rng.nextInt(v);
            compare("crossEntropy V=" + v, in -> NnOps.crossEntropy(in.get(0), targets), in -> NnOpsReference.crossEntropy(in.get(0), targets),
                    random(rng, 5f, rows, v));
            compare("logSumExp " + v, in -> NnOps.logSumExp(in.get(0)), in -> NnOpsReference.logSumExp(in.get(0)), random(rng, 5f, 9, v));
        }
        int[] all = new int[1024];
        for (int r = 0; r < all.length; r++) all[r] = rng.nextInt(66);
        compare("crossEntropy LM-sized", in -> NnOps.crossEntropy(in.get(0), all), in -> NnOpsReference.crossEntropy(in.get(0), all),
                random(rng, 5f, 1024, 66));
        int[] none = {NnOps.IGNORE_INDEX, NnOps.IGNORE_INDEX};
        assertThat(NnOps.crossEntropy(random(rng, 1f, 2, 3), none).item()).isEqualTo(0f);
    }

    @Test
    void dropoutDrawsTheReferenceMaskAndAdvancesTheGeneratorAsFar() {
        for (int n : new int[] {1, 3, 17, 127, 100_003}) {
            Rng fastRng = new Rng(n), refRng = new Rng(n);
            fastRng.nextGaussian(); // leaves a spare normal in the state, which must survive
            refRng.nextGaussian();
            compare("dropout " + n, in -> NnOps.dropout(in.get(0), 0.3f, fastRng), in -> NnOpsReference.dropout(in.get(0), 0.3f, refRng),
                    random(rng, 1f, n));
            assertThat(fastRng.state()).as("generator state after dropout of %d", n).containsExactly(refRng.state());
        }
    }

    @Test
    void patchify() {
        compare("patchify", in -> NnOps.patchify(in.get(0), 3), in -> NnOpsReference.patchify(in.get(0), 3), random(rng, 1f, 2, 3, 9, 9));
        compare("patchify 1", in -> NnOps.patchify(in.get(0), 1), in -> NnOpsReference.patchify(in.get(0), 1), random(rng, 1f, 1, 2, 5, 5));
    }
}
