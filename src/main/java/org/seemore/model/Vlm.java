package org.seemore.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seemore.model.moe.SparseMoe;
import org.seemore.nn.Params;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * A vision-language model, composed of three parts (as nanoVLM's): a {@link VisionTower} (images
 * to feature rows), a {@link Projector} (feature rows to visual tokens) and a {@link LanguageModel}
 * (visual tokens, then text, to logits). Each part is built from its own config and names its
 * parameters under its own prefix; for seemore these are the PyTorch reference's
 * ({@code vision.*}, {@code projector.*}, {@code decoder.*}).
 */
public final class Vlm {
    /** The parameter-name prefixes of the three parts. */
    public static final String VISION = "vision", PROJECTOR = "projector", LANGUAGE = "decoder";

    private final VlmConfig config;
    private final Params params;
    private final VisionTower vision;
    private final Projector projector;
    private final LanguageModel language;

    /** A model with fresh weights drawn from {@code seed}. */
    public Vlm(VlmConfig config, long seed) {
        this.config = config;
        this.params = new Params(new Rng(seed));
        this.vision = config.vision().build(params.sub(VISION));
        this.projector = config.projector().build(params.sub(PROJECTOR), config.vision().featureWidth(), config.language().width());
        this.language = config.language().build(params.sub(LANGUAGE));
    }

    public VlmConfig config() { return config; }

    public VisionTower vision() { return vision; }

    public Projector projector() { return projector; }

    public LanguageModel language() { return language; }

    /** Every parameter by checkpoint name, in a fixed order. */
    public Map<String, Tensor> parameters() { return params.all(); }

    public long parameterCount() { return params.count(); }

    /** The result of a forward pass. */
    public record Output(
            Tensor vision,             // (B, Nv, D) the vision tower's rows that became visual tokens, or null
            LanguageModel.Output lm) {

        public Tensor logits() { return lm.logits(); }  // (B, L, V), L = Nv + T

        public Tensor auxLoss() { return lm.auxLoss(); }

        public Tensor zLoss() { return lm.zLoss(); }

        public List<SparseMoe.Output> moe() { return lm.moe(); }

        /** Every MoE layer's chosen experts, (N*k) each. */
        public List<int[]> routes() {
            List<int[]> r = new ArrayList<>();
            for (SparseMoe.Output m : lm.moe()) r.add(m.routes());
            return r;
        }
    }

    /** The visual tokens of images: (B, 3, S, S) -> (B, Nv, C). */
    public Tensor visualTokens(Tensor images, ForwardContext ctx) {
        return encode(images, ctx).tokens();
    }

    /** The vision tower's feature rows and the projector's visual tokens made of them. */
    private record Encoded(Tensor features, Tensor tokens) {}

    private Encoded encode(Tensor images, ForwardContext ctx) {
        Tensor features, tokens;
        try (var s = Profiler.scope("vision encoder")) {
            features = vision.encode(images, ctx);                           // (B, Nv, D)
        }
        try (var s = Profiler.scope("projector")) {
            tokens = projector.forward(features);                            // (B, Nv, C)
        }
        return new Encoded(features, tokens);
    }

    /**
     * images (B, 3, S, S) or null (text only), tokens (B*T) row-major -> logits over the
     * visual + text positions.
     */
    public Output forward(Tensor images, int[] tokens, int batch, ForwardContext ctx) {
        Encoded visual = images == null ? new Encoded(null, null) : encode(images, ctx);
        return new Output(visual.features(), language.forward(visual.tokens(), tokens, batch, ctx));
    }

    /** The training objective: cross-entropy, and the weighted auxiliary losses. */
    public record Loss(Tensor total, Tensor ce, Tensor aux) {}

    /**
     * {@code targets[b, t]} (B*T, {@link NnOps#IGNORE_INDEX} for positions that do not count) is scored
     * against {@code logits[b, Nv + t]}: one batch-wide mean over the counted positions.
     */
    public Loss loss(Output out, int[] targets, int batch) {
        try (var s = Profiler.scope("loss")) {
            return lossOf(out, targets, batch);
        }
    }

    private Loss lossOf(Output out, int[] targets, int batch) {
        Tensor logits = out.logits();
        int l = logits.dim(1), v = logits.dim(2), t = targets.length / batch, nv = l - t;
        Tensor text = nv == 0 ? logits : Shaping.slice(logits, 1, nv, t);    // (B, T, V)
        Tensor ce = NnOps.crossEntropy(Shaping.reshape(text, batch * t, v), targets);
        return new Loss(language.objective(ce, out.lm()), ce, out.auxLoss());
    }
}
