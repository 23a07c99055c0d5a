package org.seemore.model;

import java.util.List;
import org.seemore.model.moe.SparseMoe;
import org.seemore.nn.Params;
import org.seemore.tensor.Tensor;

/**
 * The last part of a vision-language model: visual tokens, then text tokens, to logits over the
 * vocabulary. A trainable {@link #forward}, and incremental {@link Decoding} over a KV cache for
 * generation. The seemore MoE decoder is one implementation; a Llama, Qwen2 or Mixtral model is
 * another, with its own {@link Config}.
 */
public interface LanguageModel {

    /** A language model's hyper-parameters, and the model they describe. */
    interface Config {
        /** The embedding width C (the visual tokens' width). */
        int width();

        int vocabSize();

        /** The longest sequence, visual tokens included. */
        int maxPositions();

        /** Transformer blocks. */
        int layers();

        /** Experts per layer that each token is routed among (1 for a dense feed-forward). */
        int numExperts();

        /** Experts each token goes to (1 for a dense feed-forward). */
        int topK();

        /** The same model over another vocabulary (the tokenizer's, known when training starts). */
        Config withVocabSize(int vocabSize);

        /** A model with fresh weights, its parameters created under {@code params}. */
        LanguageModel build(Params params);
    }

    /**
     * The result of a pass: logits, the auxiliary losses (null when the model has none) and the
     * routing of every MoE layer (empty for a dense model).
     */
    record Output(
            Tensor logits,   // (B, L, V), L = Nv + T
            Tensor auxLoss,  // scalar: mean over layers of the load-balancing loss (Mixtral: HF's one value over all layers), or null
            Tensor zLoss,    // scalar: mean over layers of the router z-loss, or null
            List<SparseMoe.Output> moe) {}

    Config config();

    /** visual tokens (B, Nv, C) or null (text only), tokens (B*T) row-major -> logits (B, Nv+T, V). */
    Output forward(Tensor visualTokens, int[] tokens, int batch, ForwardContext ctx);

    /** The training objective from the cross-entropy: adds the model's weighted auxiliary losses. */
    Tensor objective(Tensor crossEntropy, Output out);

    /** Generation over a KV cache for {@code batch} sequences of up to {@code capacity} positions. */
    Decoding newDecoding(int batch, int capacity);

    /**
     * Inference on a growing sequence: a KV cache of the positions seen so far, extended either by a
     * tensor pass over several positions (the prefill) or by one token per sequence on preallocated
     * buffers (a decoding step). The two can be interleaved, and give the logits of the full
     * recomputation.
     */
    interface Decoding {
        /** Positions cached so far (the position the next token takes). */
        int length();

        /** The most positions the cache holds. */
        int capacity();

        /** The next positions, e.g. the prompt after its image: visual tokens (B, Nv, C) or null, tokens (B*T) -> logits (B, Nv+T, V). */
        Tensor forward(Tensor visualTokens, int[] tokens);

        /** One token per sequence (B) at the next position -> logits (B, V), in a buffer the next step overwrites. */
        float[] step(int[] tokens);

        /**
         * The experts each MoE layer chose for each sequence's last position in the last {@link #forward}
         * or {@link #step}: (layers, B, k) row-major; empty for a dense model.
         */
        default int[] routes() {
            return new int[0];
        }
    }
}
