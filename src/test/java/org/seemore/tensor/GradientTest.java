package org.seemore.tensor;

import static org.seemore.tensor.GradCheck.check;
import static org.seemore.tensor.GradCheck.random;

import org.junit.jupiter.api.Test;

/** A finite-difference gradient check for every differentiable op. */
class GradientTest {
    private final Rng rng = new Rng(1234);

    @Test
    void binaryOpsWithBroadcasting() {
        check("add", in -> Elementwise.add(in.get(0), in.get(1)), random(rng, 3, 4), random(rng, 3, 4));
        check("add rows", in -> Elementwise.add(in.get(0), in.get(1)), random(rng, 2, 3, 4), random(rng, 4));
        check("sub columns", in -> Elementwise.sub(in.get(0), in.get(1)), random(rng, 3, 4), random(rng, 3, 1));
        check("mul broadcast both", in -> Elementwise.mul(in.get(0), in.get(1)), random(rng, 3, 1), random(rng, 1, 5));
        Tensor denom = Tensor.of(new float[] {1.5f, -2f, 2.5f, 3f}, 4);
        check("div", in -> Elementwise.div(in.get(0), in.get(1)), random(rng, 2, 4), denom);
        check("scale", in -> Elementwise.scale(in.get(0), -2.5f), random(rng, 5));
    }

    @Test
    void activations() {
        check("relu", in -> Elementwise.relu(in.get(0)), awayFromZero(random(rng, 4, 5)));
        check("gelu", in -> Elementwise.gelu(in.get(0)), Elementwise.scale(random(rng, 4, 5), 3f).detach());
        check("softplus", in -> Elementwise.softplus(in.get(0)), Elementwise.scale(random(rng, 4, 5), 4f).detach());
        check("silu", in -> Elementwise.silu(in.get(0)), Elementwise.scale(random(rng, 4, 5), 4f).detach());
        check("quickGelu", in -> Elementwise.quickGelu(in.get(0)), Elementwise.scale(random(rng, 4, 5), 4f).detach());
        check("geluTanh", in -> Elementwise.geluTanh(in.get(0)), Elementwise.scale(random(rng, 4, 5), 3f).detach());
        check("swiglu", in -> Elementwise.mul(Elementwise.silu(in.get(0)), in.get(1)), Elementwise.scale(random(rng, 3, 4), 3f).detach(), random(rng, 3, 4));
    }

    @Test
    void reductions() {
        check("sum axis 1", in -> Reductions.sum(in.get(0), 1, false), random(rng, 2, 3, 4));
        check("mean axis 0", in -> Reductions.mean(in.get(0), 0, true), random(rng, 3, 4));
        check("sumAll", in -> Reductions.sumAll(in.get(0)), random(rng, 3, 4));
        check("meanAll", in -> Reductions.meanAll(in.get(0)), random(rng, 3, 4));
    }

    @Test
    void shaping() {
        check("reshape", in -> Shaping.reshape(in.get(0), 4, -1), random(rng, 2, 3, 2));
        check("permute", in -> Shaping.permute(in.get(0), 2, 0, 1), random(rng, 2, 3, 4));
        check("transpose", in -> Shaping.transpose(in.get(0), 0, 1), random(rng, 3, 5));
        check("concat", in -> Shaping.concat(1, in.get(0), in.get(1)), random(rng, 2, 3, 2), random(rng, 2, 1, 2));
        check("slice", in -> Shaping.slice(in.get(0), 1, 1, 2), random(rng, 2, 4, 3));
        check("sliceRows", in -> Shaping.sliceRows(in.get(0), 1, 2), random(rng, 4, 3));
        check("select", in -> Shaping.select(in.get(0), 2), random(rng, 3, 2, 2));
    }

    @Test
    void matmulInEveryTransposeAndBatching() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? random(rng, 2, 5, 3) : random(rng, 2, 3, 5);
                Tensor b = tb ? random(rng, 2, 4, 5) : random(rng, 2, 5, 4);
                check("bmm " + ta + "," + tb, in -> Linalg.matmul(in.get(0), in.get(1), ta, tb), a, b);
                Tensor shared = tb ? random(rng, 4, 5) : random(rng, 5, 4);
                Tensor a2 = ta ? random(rng, 2, 5, 3) : random(rng, 2, 3, 5);
                check("matmul shared " + ta + "," + tb, in -> Linalg.matmul(in.get(0), in.get(1), ta, tb), a2, shared);
            }
        }
        check("linear", in -> Linalg.linear(in.get(0), in.get(1), in.get(2)), random(rng, 2, 3, 5), random(rng, 4, 5), random(rng, 4));
        check("linear no bias", in -> Linalg.linear(in.get(0), in.get(1), null), random(rng, 3, 5), random(rng, 4, 5));
    }

    @Test
    void indexing() {
        check("indexSelect", in -> Indexing.indexSelect(in.get(0), new int[] {2, 0, 2}), random(rng, 3, 4));
        check("indexAdd", in -> Indexing.indexAdd(in.get(0), new int[] {1, 1, 0}, in.get(1)), random(rng, 3, 2), random(rng, 3, 2));
        check("embedding", in -> Indexing.embedding(in.get(0), new int[] {4, 1, 1, 0}, 2, 2), random(rng, 5, 3));
        check("gather", in -> Indexing.gather(in.get(0), new int[] {3, 0, 1, 1}, 2), random(rng, 2, 4));
    }

    @Test
    void expertMlps() {
        int[][] rows = {{0, 2}, {}, {2, 1, 0}}, slots = {{0, 5}, {}, {4, 3, 1}}; // tokens' (token*k + j) for k = 2
        check("expertMlps", in -> ExpertMlps.forward(in.get(0), new ExpertMlps.Expert[] {
                        new ExpertMlps.Expert(in.get(2), in.get(3), in.get(4), in.get(5)),
                        new ExpertMlps.Expert(in.get(6), in.get(7), in.get(8), in.get(9)),
                        new ExpertMlps.Expert(in.get(10), in.get(11), in.get(12), in.get(13))}, rows, slots, in.get(1)),
                random(rng, 3, 4), random(rng, 6),
                random(rng, 5, 4), random(rng, 5), random(rng, 4, 5), random(rng, 4),
                random(rng, 5, 4), random(rng, 5), random(rng, 4, 5), random(rng, 4), // no rows: a zero gradient
                random(rng, 5, 4), random(rng, 5), random(rng, 4, 5), random(rng, 4));
    }

    @Test
    void fusedNnOps() {
        check("layerNorm", in -> NnOps.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f),
                Elementwise.scale(random(rng, 3, 6), 2f).detach(), random(rng, 6), random(rng, 6));
        check("rmsNorm", in -> NnOps.rmsNorm(in.get(0), in.get(1), 1e-6f), Elementwise.scale(random(rng, 3, 6), 2f).detach(), random(rng, 6));
        check("softmax", in -> NnOps.softmax(in.get(0), false), Elementwise.scale(random(rng, 3, 5), 2f).detach());
        check("causal softmax", in -> NnOps.softmax(in.get(0), true), Elementwise.scale(random(rng, 2, 4, 4), 2f).detach());
        check("causal softmax, cached suffix", in -> NnOps.softmax(in.get(0), true), random(rng, 2, 6));
        check("crossEntropy", in -> NnOps.crossEntropy(in.get(0), new int[] {2, NnOps.IGNORE_INDEX, 0, 4}),
                Elementwise.scale(random(rng, 4, 5), 2f).detach());
        check("logSumExp", in -> NnOps.logSumExp(in.get(0)), Elementwise.scale(random(rng, 3, 5), 2f).detach());
        Rng dropRng = new Rng(5);
        long[] state = dropRng.state();
        check("dropout", in -> {
            dropRng.restore(state); // the same mask at every evaluation
            return NnOps.dropout(in.get(0), 0.3f, dropRng);
        }, random(rng, 4, 5));
        check("patchify", in -> NnOps.patchify(in.get(0), 2), random(rng, 2, 3, 4, 4));
    }

    @Test
    void fusedAttention() {
        check("attention", in -> FusedAttention.selfAttention(in.get(0), 2, false), Elementwise.scale(random(rng, 2, 3, 12), 2f).detach());
        check("causal attention", in -> FusedAttention.selfAttention(in.get(0), 2, true), Elementwise.scale(random(rng, 2, 4, 6), 2f).detach());
    }

    @Test
    void rotaryEmbeddings() {
        RopeTable table = RopeTable.of(RopeTable.standardFrequencies(6, 10_000f));
        check("rope, positions shared", in -> Rope.apply(in.get(0), 2, table, new int[] {0, 1, 2}), random(rng, 2, 3, 12));
        check("rope, a position per row", in -> Rope.apply(in.get(0), 1, table, new int[] {7, 0, 300, 2}), random(rng, 2, 2, 6));
    }

    @Test
    void groupedQueryAttentionWithAPaddingMask() {
        int[] leftPadded = {0, 0, 1, 1, 1, 1, 1, 1}; // item 0: its first two queries see no key; item 1: right padding
        int[] rightPadded = {1, 1, 1, 0};
        check("causal GQA, left and right padding", in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), 4, 2, true,
                        new int[] {0, 0, 1, 1, 1, 1, 1, 0}),
                Elementwise.scale(random(rng, 2, 4, 12), 2f).detach(), random(rng, 2, 4, 6), random(rng, 2, 4, 6));
        check("causal MQA, cached suffix", in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), 2, 1, true, rightPadded),
                Elementwise.scale(random(rng, 1, 2, 6), 2f).detach(), random(rng, 1, 4, 3), random(rng, 1, 4, 3));
        check("bidirectional, masked", in -> FusedAttention.attention(in.get(0), in.get(1), in.get(2), 2, 2, false, leftPadded),
                Elementwise.scale(random(rng, 2, 4, 6), 2f).detach(), random(rng, 2, 4, 6), random(rng, 2, 4, 6));
    }

    private static Tensor awayFromZero(Tensor t) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) if (Math.abs(d[i]) < 0.05f) d[i] = 0.3f;
        return t;
    }
}
