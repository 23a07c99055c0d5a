package org.seemore.model.hf;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face decoder-only language model's config: {@code LlamaForCausalLM} (Llama 2 and 3,
 * TinyLlama, SmolLM), {@code Qwen2ForCausalLM} and {@code MixtralForCausalLM}, which share one block:
 * RMSNorm, rotary grouped-query attention and a SwiGLU MLP ({@link #moe} replaces it with routed
 * experts in Mixtral). Field names follow the config keys; defaults are the HF class defaults, kept
 * per family in {@link Family} (transformers 4.45).
 *
 * @param headDim              {@code head_dim}, or {@code hidden_size / num_attention_heads}
 * @param intermediateSize     the MLP's width; for Mixtral, each expert's
 * @param ropeScaling          empty for plain RoPE
 * @param tieWordEmbeddings    the output projection is {@code embed_tokens}; {@code lm_head.weight} is not stored
 * @param qkvBias              q, k and v projections have a bias (Qwen2 always; Llama with {@code attention_bias})
 * @param outputBias           {@code o_proj} has a bias (Llama with {@code attention_bias})
 * @param mlpBias              gate, up and down projections have a bias (Llama with {@code mlp_bias})
 * @param slidingWindow        attention window, if the config enables one
 * @param moe                  Mixtral's experts; empty for a dense MLP
 * @param bosTokenId           from config.json ({@code generation_config.json} may override it)
 * @param eosTokenIds          from config.json; Llama 3.1 lists several, Qwen2 none
 */
public record DecoderConfig(Family family, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                            int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                            double rmsNormEps, double ropeTheta, Optional<RopeScaling> ropeScaling, Activation hiddenAct,
                            boolean tieWordEmbeddings, boolean qkvBias, boolean outputBias, boolean mlpBias,
                            Optional<SlidingWindow> slidingWindow, Optional<Moe> moe,
                            OptionalInt bosTokenId, List<Integer> eosTokenIds) implements HfConfig {

    /** The decoder families, each with its HF config class's defaults (the one place they are written). */
    public enum Family {
        LLAMA("llama", new Defaults(32000, 4096, 11008, 32, 32, 0, 2048, 1e-6, 10000, OptionalInt.of(1), List.of(2))),
        QWEN2("qwen2", new Defaults(151936, 4096, 22016, 32, 32, 32, 32768, 1e-6, 10000, OptionalInt.empty(), List.of())),
        MIXTRAL("mixtral", new Defaults(32000, 4096, 14336, 32, 32, 8, 4096 * 32, 1e-5, 1e6, OptionalInt.of(1), List.of(2)));

        /** {@code model_type} in config.json. */
        public final String modelType;
        final Defaults defaults;

        Family(String modelType, Defaults defaults) {
            this.modelType = modelType;
            this.defaults = defaults;
        }
    }

    /** Class defaults of one family; {@code numKeyValueHeads} 0 means "as many as attention heads". */
    record Defaults(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
                    int numKeyValueHeads, int maxPositionEmbeddings, double rmsNormEps, double ropeTheta,
                    OptionalInt bosTokenId, List<Integer> eosTokenIds) {}

    /** Mixtral's sparse MLP: {@code num_local_experts} experts, {@code num_experts_per_tok} chosen per token. */
    public record Moe(int numLocalExperts, int numExpertsPerTok, double routerAuxLossCoef, double routerJitterNoise) {
        /** MixtralConfig's defaults. */
        static final Moe DEFAULTS = new Moe(8, 2, 0.001, 0.0);

        public Moe {
            if (numLocalExperts <= 0 || numExpertsPerTok <= 0 || numExpertsPerTok > numLocalExperts) {
                throw new IllegalArgumentException("num_experts_per_tok (" + numExpertsPerTok + ") must be between 1 and num_local_experts ("
                        + numLocalExperts + ")");
            }
            if (routerAuxLossCoef < 0 || routerJitterNoise < 0) throw new IllegalArgumentException("router_aux_loss_coef and router_jitter_noise must be >= 0");
        }
    }

    /** Attention limited to the last {@code size} positions, in layers from {@code fromLayer} on (Qwen2's max_window_layers). */
    public record SlidingWindow(int size, int fromLayer) {}

    public DecoderConfig {
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads (" + numAttentionHeads + ") must be a multiple of num_key_value_heads ("
                    + numKeyValueHeads + ")");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) throw new IllegalArgumentException("rms_norm_eps and rope_theta must be greater than 0");
        if (moe.isPresent() != (family == Family.MIXTRAL)) throw new IllegalArgumentException("experts belong to Mixtral configs only");
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Parses a decoder config object (config.json, or LLaVA's {@code text_config}). */
    static DecoderConfig read(ConfigJson json, Family family) {
        Defaults d = family.defaults;
        int hidden = json.positive("hidden_size", d.hiddenSize());
        int heads = json.positive("num_attention_heads", d.numAttentionHeads());
        // absent: the class default; null: as many as attention heads (what transformers does with None)
        int kvHeads = json.present("num_key_value_heads") && !json.has("num_key_value_heads")
                ? heads : json.positive("num_key_value_heads", d.numKeyValueHeads() == 0 ? heads : d.numKeyValueHeads());
        if (!json.has("head_dim") && hidden % heads != 0) {
            throw json.error("hidden_size", hidden + " is not a multiple of num_attention_heads (" + heads + "), and there is no head_dim");
        }
        int headDim = json.positive("head_dim", hidden / heads);
        boolean attentionBias = family == Family.LLAMA && json.bool("attention_bias", false);
        Optional<SlidingWindow> window = switch (family) {
            case QWEN2 -> json.bool("use_sliding_window", false)
                    ? Optional.of(new SlidingWindow(json.positive("sliding_window", 4096), json.integer("max_window_layers", 28)))
                    : Optional.empty();
            case MIXTRAL -> json.has("sliding_window") ? Optional.of(new SlidingWindow(json.positive("sliding_window", 0), 0)) : Optional.empty();
            case LLAMA -> Optional.empty();
        };
        Optional<Moe> moe = family != Family.MIXTRAL ? Optional.empty() : Optional.of(readMoe(json));
        List<Integer> bos = json.tokenIds("bos_token_id", d.bosTokenId().isPresent() ? List.of(d.bosTokenId().getAsInt()) : List.of());
        if (bos.size() > 1) throw json.error("bos_token_id", "expected one token id, got " + bos);
        try {
            return new DecoderConfig(family,
                    json.positive("vocab_size", d.vocabSize()), hidden,
                    json.positive("intermediate_size", d.intermediateSize()),
                    json.positive("num_hidden_layers", d.numHiddenLayers()), heads, kvHeads, headDim,
                    json.positive("max_position_embeddings", d.maxPositionEmbeddings()),
                    json.positiveNumber("rms_norm_eps", d.rmsNormEps()), json.positiveNumber("rope_theta", d.ropeTheta()),
                    Optional.ofNullable(RopeScaling.read(json)), Activation.read(json, "hidden_act", Activation.SILU),
                    json.bool("tie_word_embeddings", false),
                    family == Family.QWEN2 || attentionBias, attentionBias,
                    family == Family.LLAMA && json.bool("mlp_bias", false),
                    window, moe,
                    bos.isEmpty() ? OptionalInt.empty() : OptionalInt.of(bos.getFirst()),
                    json.tokenIds("eos_token_id", d.eosTokenIds()));
        } catch (IllegalArgumentException e) {
            throw json.error(e.getMessage());
        }
    }

    private static Moe readMoe(ConfigJson json) {
        Moe d = Moe.DEFAULTS;
        try {
            return new Moe(json.positive("num_local_experts", d.numLocalExperts()), json.positive("num_experts_per_tok", d.numExpertsPerTok()),
                    json.number("router_aux_loss_coef", d.routerAuxLossCoef()), json.number("router_jitter_noise", d.routerJitterNoise()));
        } catch (IllegalArgumentException e) {
            throw json.error(e.getMessage());
        }
    }
}
