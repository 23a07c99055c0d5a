package org.seemore.model.llama;

import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.Tensor;

/**
 * The second half of a decoder layer, after {@code post_attention_layernorm}: the dense SwiGLU MLP
 * of Llama and Qwen2, or Mixtral's sparse block of routed SwiGLU experts ({@link MixtralMoeBlock}).
 * The rest of the layer is the same for all three, so {@link LlamaModel} holds one of these per layer.
 */
sealed interface FeedForward permits FeedForward.SwiGlu, MixtralMoeBlock {

    /** x (B, T, C) -> (B, T, C), and the routing that produced it (null for a dense MLP). */
    Result forward(Tensor x);

    /** A feed-forward's output and, for a sparse block, how it routed each token. */
    record Result(Tensor y, MixtralMoeBlock.RouterOutput routing) {}

    /** HF's {@code LlamaMLP}: {@code down(silu(gate(x)) * up(x))}, weights (F, C), (F, C), (C, F). */
    record SwiGlu(Tensor gate, Tensor up, Tensor down) implements FeedForward {

        /** Fresh weights under {@code mlp}'s names {@code gate_proj}, {@code up_proj}, {@code down_proj}. */
        static SwiGlu create(Params mlp, int width, int hidden) {
            return new SwiGlu(mlp.sub("gate_proj").normal("weight", 0.02f, hidden, width),
                    mlp.sub("up_proj").normal("weight", 0.02f, hidden, width),
                    mlp.sub("down_proj").normal("weight", 0.02f, width, hidden));
        }

        /** {@code w_down(silu(w_gate x) * w_up x)}: x (..., C) -> (..., C). */
        static Tensor apply(Tensor x, Tensor gate, Tensor up, Tensor down) {
            Tensor h = Elementwise.mul(Elementwise.silu(Linalg.linear(x, gate, null)), Linalg.linear(x, up, null)); // (..., F)
            return Linalg.linear(h, down, null);
        }

        @Override
        public Result forward(Tensor x) {
            return new Result(apply(x, gate, up, down), null);
        }
    }
}
