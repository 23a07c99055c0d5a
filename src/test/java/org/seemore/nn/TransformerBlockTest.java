package org.seemore.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.seemore.tensor.Rng;

/** The block's structure, written once: what it computes along a path that spells out each step. */
class TransformerBlockTest {

    /** Each piece as text, so that the block's output is its formula. */
    private record Formula(TransformerBlock<String> block) implements TransformerBlock.Path<String, String> {
        @Override
        public String norm(LayerNorm norm, String x) {
            return (norm == block.ln1 ? "ln1" : norm == block.ln2 ? "ln2" : "?") + "(" + x + ")";
        }

        @Override
        public String attention(int layer, Attention attention, String normed) {
            return (attention == block.attn ? "attn" : "?") + layer + "(" + normed + ")";
        }

        @Override
        public String feedForward(int layer, String ffn, String normed) {
            return ffn + layer + "(" + normed + ")";
        }

        @Override
        public String residual(String x, String out) {
            return "[" + x + " + " + out + "]";
        }
    }

    @Test
    void isXPlusAttnOfLn1ThenPlusFfnOfLn2() {
        TransformerBlock<String> block = new TransformerBlock<>(new Params(new Rng(1)), 8, 2, true, "mlp", p -> "mlp");
        String h = "[x + attn3(ln1(x))]";
        assertThat(block.forward("x", 3, new Formula(block))).isEqualTo("[" + h + " + mlp3(ln2(" + h + "))]");
    }

    @Test
    void createsItsParametersInTheReferenceOrderUnderTheFeedForwardsName() {
        Params params = new Params(new Rng(1));
        new TransformerBlock<>(params.sub("blocks.0"), 8, 2, false, "moe", p -> p.zeros("w", 1));
        assertThat(List.copyOf(params.all().keySet())).containsExactly(
                "blocks.0.ln1.weight", "blocks.0.ln1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.proj.weight",
                "blocks.0.attn.proj.bias", "blocks.0.ln2.weight", "blocks.0.ln2.bias", "blocks.0.moe.w");
    }
}
