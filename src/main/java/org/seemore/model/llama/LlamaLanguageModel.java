package org.seemore.model.llama;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.LanguageModel;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.moe.SparseMoe;
import org.seemore.nn.Params;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * A Llama, Qwen2 or Mixtral decoder as the {@link LanguageModel} of a vision-language model: visual
 * tokens (already in the decoder's width) go first as input embeddings, then the text tokens'
 * embeddings, at positions 0, 1, ... A dense model has no auxiliary loss and no routing. Mixtral's
 * auxiliary loss is HF's one value over all layers ({@link LoadBalancingLoss}, every position
 * counted), its objective {@code ce + router_aux_loss_coef * aux}, and each layer's routing comes back
 * as a {@link SparseMoe.Output} with the chosen experts and the tokens per expert (its {@code y} is
 * null: the block's output is already in the logits).
 */
public final class LlamaLanguageModel implements LanguageModel {
    private final Config config;
    private final LlamaModel model;

    /** The hyper-parameters of a Hugging Face decoder (Llama, Qwen2 or Mixtral). */
    public record Config(DecoderConfig decoder) implements LanguageModel.Config {
        @Override public int width() { return decoder.hiddenSize(); }
        @Override public int vocabSize() { return decoder.vocabSize(); }
        @Override public int maxPositions() { return decoder.maxPositionEmbeddings(); }
        @Override public int layers() { return decoder.numHiddenLayers(); }
        @Override public int numExperts() { return decoder.moe().map(DecoderConfig.Moe::numLocalExperts).orElse(1); }
        @Override public int topK() { return decoder.moe().map(DecoderConfig.Moe::numExpertsPerTok).orElse(1); }

        @Override
        public Config withVocabSize(int vocabSize) {
            DecoderConfig d = decoder;
            return new Config(new DecoderConfig(d.family(), vocabSize, d.hiddenSize(), d.intermediateSize(), d.numHiddenLayers(),
                    d.numAttentionHeads(), d.numKeyValueHeads(), d.headDim(), d.maxPositionEmbeddings(), d.rmsNormEps(), d.ropeTheta(),
                    d.ropeScaling(), d.hiddenAct(), d.tieWordEmbeddings(), d.qkvBias(), d.outputBias(), d.mlpBias(), d.slidingWindow(),
                    d.moe(), d.bosTokenId(), d.eosTokenIds()));
        }

        @Override
        public LanguageModel build(Params params) {
            return new LlamaLanguageModel(new LlamaModel(decoder, params));
        }
    }

    public LlamaLanguageModel(LlamaModel model) {
        this.model = model;
        this.config = new Config(model.config());
    }

    /** The wrapped decoder (its HF-named parameters, hidden states). */
    public LlamaModel model() {
        return model;
    }

    @Override
    public Config config() {
        return config;
    }

    @Override
    public Output forward(Tensor visualTokens, int[] tokens, int batch, ForwardContext ctx) {
        LlamaModel.Output out = model.forwardEmbeddings(inputs(model, visualTokens, tokens, batch), null);
        if (out.routing().isEmpty()) return new Output(out.logits(), null, null, List.of());
        Tensor aux = LoadBalancingLoss.of(out.routing(), null);
        List<SparseMoe.Output> moe = new ArrayList<>();
        for (MixtralMoeBlock.RouterOutput r : out.routing()) {
            int[] perExpert = new int[config.numExperts()];
            for (int e : r.experts()) perExpert[e]++;
            moe.add(new SparseMoe.Output(null, aux, null, r.experts(), perExpert, 0));
        }
        return new Output(out.logits(), aux, null, List.copyOf(moe));
    }

    /** Visual tokens (B, Nv, C) or null, then the tokens' embeddings: (B, Nv+T, C). */
    static Tensor inputs(LlamaModel model, Tensor visualTokens, int[] tokens, int batch) {
        Tensor text = model.embed(tokens, batch);
        return visualTokens == null ? text : Shaping.concat(1, visualTokens, text);
    }

    /** The cross-entropy, plus {@code router_aux_loss_coef * aux} for Mixtral; a dense decoder has no auxiliary loss. */
    @Override
    public Tensor objective(Tensor crossEntropy, Output out) {
        return model.objective(crossEntropy, out.auxLoss());
    }

    @Override
    public Decoding newDecoding(int batch, int capacity) {
        if (capacity < 1 || capacity > config.maxPositions()) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " positions; the model has " + config.maxPositions());
        }
        return new FastDecoding(new FastDecoder(LlamaWeights.of(model, LlamaWeights.Precision.F32), batch, capacity));
    }

    /**
     * Decoding on the inference path ({@link FastDecoder}), which reads the model's own float32
     * arrays: a prefill of visual tokens then text, then one token per step; no autodiff graph.
     * Mixtral's routes are those {@link FastDecoder#routes} chose in the last pass.
     */
    private record FastDecoding(FastDecoder decoder) implements Decoding {
        @Override public int length() { return decoder.length(); }
        @Override public int capacity() { return decoder.capacity(); }
        @Override public int[] routes() { return decoder.routes(); }

        @Override
        public Tensor forward(Tensor visualTokens, int[] tokens) {
            int batch = decoder.batch(), width = decoder.weights().config().hiddenSize(), vocab = decoder.weights().config().vocabSize();
            if (tokens.length % batch != 0) throw new IllegalArgumentException(tokens.length + " tokens for " + batch + " sequences");
            int t = tokens.length / batch, nv = visualTokens == null ? 0 : visualTokens.dim(1), rows = nv + t;
            float[] text = decoder.embed(tokens), visual = visualTokens == null ? null : visualTokens.toArray(); // (B, T, C), (B, Nv, C)
            float[] inputs = new float[batch * rows * width];                                                   // (B, Nv+T, C)
            for (int b = 0; b < batch; b++) {
                if (visual != null) System.arraycopy(visual, b * nv * width, inputs, b * rows * width, nv * width);
                System.arraycopy(text, b * t * width, inputs, (b * rows + nv) * width, t * width);
            }
            return Tensor.of(decoder.prefill(inputs, rows, null, true), batch, rows, vocab);
        }

        @Override
        public float[] step(int[] tokens) {
            return decoder.step(tokens);
        }
    }
}
