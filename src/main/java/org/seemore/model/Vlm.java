package org.seemore.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.seemore.model.decoder.Decoder;
import org.seemore.model.moe.SparseMoe;
import org.seemore.model.projector.Projector;
import org.seemore.model.vision.VisionEncoder;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Profiler;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The seemore vision-language model: ViT → projector → visual tokens → MoE decoder.
 * Parameter names are the PyTorch reference's ({@code vision.*}, {@code projector.*}, {@code decoder.*}).
 */
public final class Vlm {
    private final VlmConfig config;
    private final Params params;
    public final VisionEncoder vision;
    public final Projector projector;
    public final Decoder decoder;

    /** A model with fresh weights drawn from {@code seed}. */
    public Vlm(VlmConfig config, long seed) {
        this.config = config;
        this.params = new Params(new Rng(seed));
        this.vision = new VisionEncoder(params.sub("vision"), config);
        this.projector = new Projector(params.sub("projector"), config);
        this.decoder = new Decoder(params.sub("decoder"), config);
    }

    public VlmConfig config() { return config; }

    /** Every parameter by checkpoint name, in a fixed order. */
    public Map<String, Tensor> parameters() { return params.all(); }

    public long parameterCount() { return params.count(); }

    /** The result of a forward pass. */
    public record Output(
            Tensor vision,   // (B, Nv, D) the ViT rows that become visual tokens
            Tensor logits,   // (B, L, V), L = Nv + T
            Tensor auxLoss,  // scalar: mean over layers of E * sum f*P
            Tensor zLoss,    // scalar or null
            List<SparseMoe.Output> moe) {

        public List<int[]> routes() {
            List<int[]> r = new ArrayList<>();
            for (SparseMoe.Output m : moe) r.add(m.routes());
            return r;
        }
    }

    /** The visual tokens' ViT rows: images (B, 3, S, S) -> (B, Nv, D). */
    public Tensor encodeImages(Tensor images, ForwardContext ctx) {
        if (config.imageTokens() == VlmConfig.ImageTokens.CLS) return vision.forwardCls(images, ctx); // (B, 1, D)
        return Shaping.slice(vision.forward(images, ctx), 1, 1, config.numPatches());              // (B, N, D)
    }

    /**
     * images (B, 3, S, S) or null (text only), tokens (B*T) row-major -> logits over the
     * visual + text positions.
     */
    public Output forward(Tensor images, int[] tokens, int batch, ForwardContext ctx) {
        Tensor visionRows = null, prefix = null;
        if (images != null) {
            try (var s = Profiler.scope("vision encoder")) {
                visionRows = encodeImages(images, ctx);                           // (B, Nv, D)
            }
            try (var s = Profiler.scope("projector")) {
                prefix = projector.forward(visionRows);                           // (B, Nv, C)
            }
        }
        Decoder.Output out = decoder.forward(prefix, tokens, batch, ctx);
        Tensor aux = null, z = null;
        for (SparseMoe.Output m : out.moe()) {
            aux = aux == null ? m.auxLoss() : Elementwise.add(aux, m.auxLoss());
            if (m.zLoss() != null) z = z == null ? m.zLoss() : Elementwise.add(z, m.zLoss());
        }
        int layers = out.moe().size();
        aux = Elementwise.scale(aux, 1f / layers);
        if (z != null) z = Elementwise.scale(z, 1f / layers);
        return new Output(visionRows, out.logits(), aux, z, out.moe());
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
        Tensor total = Elementwise.add(ce, Elementwise.scale(out.auxLoss(), (float) config.auxLossCoef()));
        if (out.zLoss() != null) total = Elementwise.add(total, Elementwise.scale(out.zLoss(), (float) config.routerZLossCoef()));
        return new Loss(total, ce, out.auxLoss());
    }
}
