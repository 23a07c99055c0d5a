package org.seemore.model.llama;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seemore.io.SafetensorsCheckpoint;
import org.seemore.model.hf.DecoderConfig;
import org.seemore.model.hf.HfWeights;
import org.seemore.model.hf.RopeScaling;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.FusedAttention;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Rope;
import org.seemore.tensor.RopeTable;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * Hugging Face's {@code LlamaForCausalLM}, {@code Qwen2ForCausalLM} and {@code MixtralForCausalLM}
 * in float32, parameters under the HF names ({@code model.layers.0.self_attn.q_proj.weight}, ...),
 * so a checkpoint loads as is and gradients come back under the names PyTorch gives them. Each layer
 * is {@code h + attn(input_layernorm(h))}, then {@code h + ffn(post_attention_layernorm(h))}, with
 * rotate-half RoPE, grouped-query causal attention with a key-padding mask, and a {@link FeedForward}:
 * a SwiGLU MLP ({@code mlp.*}), or for Mixtral the routed experts of {@link MixtralMoeBlock}
 * ({@code block_sparse_moe.*}); a final RMSNorm, then {@code lm_head} (the embedding matrix itself
 * when the embeddings are tied).
 */
public final class LlamaModel {
    private final DecoderConfig config;
    private final Map<String, Tensor> own = new java.util.LinkedHashMap<>();
    private final RopeTable rope;
    final Tensor embed;
    final Tensor lmHead;  // the embedding when tied
    final Tensor finalNorm;
    final List<Layer> layers = new ArrayList<>();

    /** One decoder layer's parameters. */
    record Layer(Tensor inputNorm, Tensor q, Tensor qBias, Tensor k, Tensor kBias, Tensor v, Tensor vBias, Tensor o, Tensor oBias,
                 Tensor postNorm, FeedForward ffn) {}

    /** One layer's result: the hidden state (B, T, C) and, in a sparse layer, how it routed the tokens (else null). */
    record LayerOutput(Tensor hidden, MixtralMoeBlock.RouterOutput routing) {}

    /**
     * The result of a forward pass: logits (B, T, V), HF's hidden states (L + 1 of (B, T, C)) and,
     * for Mixtral, each layer's routing (empty for a dense model).
     */
    public record Output(Tensor logits, List<Tensor> hiddenStates, List<MixtralMoeBlock.RouterOutput> routing) {
        /** HF's {@code router_logits}: one (B*T, E) per layer, row b*T + t, padded positions included. */
        public List<Tensor> routerLogits() {
            return routing.stream().map(MixtralMoeBlock.RouterOutput::logits).toList();
        }

        /** The experts each layer chose, (B*T*k) per layer, most probable first. */
        public List<int[]> chosenExperts() {
            return routing.stream().map(MixtralMoeBlock.RouterOutput::experts).toList();
        }
    }

    /**
     * A forward pass with labels, as HF's {@code *ForCausalLM(input_ids, attention_mask, labels,
     * output_router_logits=True)} computes it: {@code loss = lmLoss + router_aux_loss_coef * auxLoss}
     * for Mixtral, {@code loss = lmLoss} (and {@code auxLoss} null) for a dense model.
     */
    public record CausalLmOutput(Output output, Tensor lmLoss, Tensor auxLoss, Tensor loss) {
        public Tensor logits() { return output.logits(); }
        public List<Tensor> hiddenStates() { return output.hiddenStates(); }
        public List<Tensor> routerLogits() { return output.routerLogits(); }
    }

    /** A model with fresh (random, seeded) weights shaped by {@code config}. */
    public LlamaModel(DecoderConfig config, Rng rng) {
        this(config, new Params(rng));
    }

    /** A model with fresh weights, its parameters created under {@code params} with their HF names. */
    public LlamaModel(DecoderConfig config, Params params) {
        if (config.slidingWindow().isPresent()) throw new IllegalArgumentException("sliding-window attention is not supported yet");
        if (config.hiddenAct() != org.seemore.model.hf.Activation.SILU) throw new IllegalArgumentException("hidden_act " + config.hiddenAct() + " is not supported yet (silu only)");
        this.config = config;

        java.util.Set<String> before = java.util.Set.copyOf(params.all().keySet());
        int c = config.hiddenSize(), hd = config.headDim(), h = config.numAttentionHeads(), kv = config.numKeyValueHeads();
        int f = config.intermediateSize(), v = config.vocabSize();
        Params model = params.sub("model");
        embed = model.sub("embed_tokens").normal("weight", 0.02f, v, c);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            Params l = model.sub("layers").sub(Integer.toString(i)), a = l.sub("self_attn");
            boolean qkvBias = config.qkvBias(), outBias = config.outputBias(), mlpBias = config.mlpBias();
            Tensor inNorm = l.sub("input_layernorm").ones("weight", c);
            Tensor q = a.sub("q_proj").normal("weight", 0.02f, h * hd, c), qb = qkvBias ? a.sub("q_proj").zeros("bias", h * hd) : null;
            Tensor k = a.sub("k_proj").normal("weight", 0.02f, kv * hd, c), kb = qkvBias ? a.sub("k_proj").zeros("bias", kv * hd) : null;
            Tensor vv = a.sub("v_proj").normal("weight", 0.02f, kv * hd, c), vb = qkvBias ? a.sub("v_proj").zeros("bias", kv * hd) : null;
            Tensor o = a.sub("o_proj").normal("weight", 0.02f, c, h * hd), ob = outBias ? a.sub("o_proj").zeros("bias", c) : null;
            Tensor postNorm = l.sub("post_attention_layernorm").ones("weight", c);
            if (mlpBias) throw new IllegalArgumentException("mlp_bias is not supported yet");
            FeedForward ffn = config.moe().isEmpty() ? FeedForward.SwiGlu.create(l.sub("mlp"), c, f)
                    : new MixtralMoeBlock(l.sub("block_sparse_moe"), c, f, config.moe().get().numLocalExperts(), config.moe().get().numExpertsPerTok());
            layers.add(new Layer(inNorm, q, qb, k, kb, vv, vb, o, ob, postNorm, ffn));
        }
        finalNorm = model.sub("norm").ones("weight", c);
        lmHead = config.tieWordEmbeddings() ? embed : params.sub("lm_head").normal("weight", 0.02f, v, c);
        rope = RopeTable.of(inverseFrequencies(config));
        params.all().forEach((name, t) -> {
            if (!before.contains(name)) own.put(name, t);
        });
    }

    /** The model of {@code config} with the weights of {@code checkpoint}, widened to float32; a missing or misshapen tensor is one line. */
    public static LlamaModel load(DecoderConfig config, SafetensorsCheckpoint checkpoint) {
        LlamaModel model = new LlamaModel(config, new Rng(0));
        HfWeights.load(model.own, checkpoint);
        return model;
    }

    /** HF's {@code inv_freq}: the standard table, scaled as {@code rope_scaling} says. */
    static float[] inverseFrequencies(DecoderConfig config) {
        float[] inv = RopeTable.standardFrequencies(config.headDim(), (float) config.ropeTheta());
        if (config.ropeScaling().isEmpty()) return inv;
        RopeScaling s = config.ropeScaling().get();
        return switch (s.type()) {
            case LLAMA3 -> RopeTable.llama3Frequencies(inv, (float) s.factor(), (float) s.lowFreqFactor(), (float) s.highFreqFactor(),
                    s.originalMaxPositionEmbeddings());
            case LINEAR -> { // positions / factor, the same angles as inv_freq / factor
                float[] out = inv.clone();
                for (int i = 0; i < out.length; i++) out[i] /= (float) s.factor();
                yield out;
            }
        };
    }

    public DecoderConfig config() {
        return config;
    }

    /**
     * This model's parameters by full name, in creation order: the HF names, behind the prefix of the
     * {@link Params} scope it was built in (e.g. {@code language_model.} inside LLaVA).
     */
    public Map<String, Tensor> parameters() {
        return java.util.Collections.unmodifiableMap(own);
    }

    RopeTable rope() {
        return rope;
    }

    /** The token embeddings of {@code ids} (B*T, row-major): (B, T, C). */
    public Tensor embed(int[] ids, int batch) {
        return Indexing.embedding(embed, ids, batch, ids.length / batch);
    }

    /** input_ids (B*T) and attention_mask (B*T, or null for all ones) -> logits and hidden states, positions 0 .. T-1. */
    public Output forward(int[] inputIds, int[] attentionMask, int batch) {
        return forwardEmbeddings(embed(inputIds, batch), attentionMask);
    }

    /** Input embeddings (B, T, C) (e.g. visual tokens before text) -> logits and hidden states. */
    public Output forwardEmbeddings(Tensor x, int[] attentionMask) {
        int t = x.dim(1);
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) positions[i] = i;
        List<Tensor> hidden = new ArrayList<>();
        List<MixtralMoeBlock.RouterOutput> routing = new ArrayList<>();
        hidden.add(x);
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            LayerOutput out = layer(layers.get(i), h, positions, null, attentionMask);
            h = out.hidden();
            if (out.routing() != null) routing.add(out.routing());
            if (i < layers.size() - 1) hidden.add(h);
        }
        Tensor normed = NnOps.rmsNorm(h, finalNorm, eps());
        hidden.add(normed);
        return new Output(Linalg.linear(normed, lmHead, null), hidden, List.copyOf(routing));
    }

    /**
     * input_ids, attention_mask (null for all ones) and labels (B*T each; -100 is ignored) -> logits,
     * hidden states, router logits, and HF's losses (see {@link CausalLmOutput}).
     */
    public CausalLmOutput forward(int[] inputIds, int[] attentionMask, int[] labels, int batch) {
        Output out = forward(inputIds, attentionMask, batch);
        Tensor lm = causalLmLoss(out.logits(), labels);
        if (out.routing().isEmpty()) return new CausalLmOutput(out, lm, null, lm);
        Tensor aux = LoadBalancingLoss.of(out.routing(), attentionMask);
        return new CausalLmOutput(out, lm, aux, objective(lm, aux));
    }

    /** {@code lmLoss + router_aux_loss_coef * auxLoss} (Mixtral), or {@code lmLoss} when aux is null. */
    Tensor objective(Tensor lmLoss, Tensor auxLoss) {
        if (auxLoss == null) return lmLoss;
        return Elementwise.add(lmLoss, Elementwise.scale(auxLoss, (float) config.moe().orElseThrow().routerAuxLossCoef()));
    }

    /** The final norm and the vocabulary projection: (..., C) -> (..., V). */
    Tensor head(Tensor h) {
        return Linalg.linear(NnOps.rmsNorm(h, finalNorm, eps()), lmHead, null);
    }

    float eps() {
        return (float) config.rmsNormEps();
    }

    /**
     * One decoder layer over x (B, T, C) at {@code positions} (T or B*T). With a {@code cache}, the
     * layer's keys and values are appended to it and the queries attend to everything cached; the
     * key mask then covers the cached positions too.
     */
    LayerOutput layer(Layer l, Tensor x, int[] positions, KvCache.Entry cache, int[] keyMask) {
        int h = config.numAttentionHeads(), kvh = config.numKeyValueHeads();
        Tensor a = NnOps.rmsNorm(x, l.inputNorm(), eps());
        Tensor q = Rope.apply(Linalg.linear(a, l.q(), l.qBias()), h, rope, positions);
        Tensor k = Rope.apply(Linalg.linear(a, l.k(), l.kBias()), kvh, rope, positions);
        Tensor v = Linalg.linear(a, l.v(), l.vBias());
        if (cache != null) {
            k = cache.appendKeys(k);
            v = cache.appendValues(v);
        }
        Tensor y = FusedAttention.attention(q, k, v, h, kvh, true, keyMask);
        x = Elementwise.add(x, Linalg.linear(y, l.o(), l.oBias()));
        FeedForward.Result ffn = l.ffn().forward(NnOps.rmsNorm(x, l.postNorm(), eps()));
        return new LayerOutput(Elementwise.add(x, ffn.y()), ffn.routing());
    }

    /**
     * HF's causal-LM loss: {@code logits[:, t]} predicts {@code labels[:, t+1]}, labels of -100 are
     * skipped, one mean over every counted token of the batch.
     */
    public static Tensor causalLmLoss(Tensor logits, int[] labels) {
        int b = logits.dim(0), t = logits.dim(1);
        if (labels.length != b * t) throw new IllegalArgumentException(labels.length + " labels for " + b + " x " + t + " positions");
        int[] shifted = new int[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) shifted[i * t + j] = j + 1 < t ? labels[i * t + j + 1] : NnOps.IGNORE_INDEX;
        }
        return NnOps.crossEntropy(Shaping.reshape(logits, b * t, logits.dim(2)), shifted);
    }
}
