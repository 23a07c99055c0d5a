package org.seemore.model.vision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.VisionTower;
import org.seemore.nn.Attention;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Mlp;
import org.seemore.nn.Params;
import org.seemore.nn.TransformerBlock;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The vision encoder, a ViT (Dosovitskiy et al. 2021): patch embedding (a conv with kernel = stride
 * = patch, computed as a Linear over unfolded patches), a CLS token, learned positions, pre-LN
 * blocks ({@link TransformerBlock} with a GELU MLP) and a final LayerNorm over every position.
 */
public final class VisionEncoder implements VisionTower {
    private final VitConfig config;
    private final Tensor patchWeight; // (D, 3, p, p)
    private final Tensor patchBias;   // (D)
    private final Tensor clsToken;    // (1, 1, D)
    private final Tensor posEmbed;    // (1, N+1, D)
    private final List<TransformerBlock<Mlp>> blocks = new ArrayList<>();
    private final LayerNorm lnF;

    public VisionEncoder(Params p, VitConfig config) {
        this.config = config;
        int d = config.width(), patch = config.patchSize();
        Params pe = p.sub("patch_embed");
        patchWeight = pe.normal("weight", 0.02f, d, 3, patch, patch);
        patchBias = pe.zeros("bias", d);
        clsToken = p.normal("cls_token", 0.02f, 1, 1, d);
        posEmbed = p.normal("pos_embed", 0.02f, 1, config.numPatches() + 1, d);
        for (int i = 0; i < config.layers(); i++) {
            blocks.add(new TransformerBlock<>(p.sub("blocks." + i), d, config.heads(), false, "mlp",
                    q -> new Mlp(q, d, 4 * d, d, Mlp.Activation.GELU)));
        }
        lnF = new LayerNorm(p.sub("ln_f"), d);
    }

    @Override
    public VitConfig config() { return config; }

    /** The rows that become visual tokens: row 0 (CLS) or every patch row. */
    @Override
    public Tensor encode(Tensor images, ForwardContext ctx) {
        if (config.imageTokens() == VitConfig.ImageTokens.CLS) return forwardCls(images, ctx); // (B, 1, D)
        return Shaping.slice(forward(images, ctx), 1, 1, config.numPatches());                // (B, N, D)
    }

    /** images (B, 3, S, S) -> every encoded row (B, N+1, D), row 0 being CLS. */
    public Tensor forward(Tensor images, ForwardContext ctx) {
        Tensor x = embed(images, ctx);
        Rows all = new Rows(ctx, false);
        for (int i = 0; i < blocks.size(); i++) x = blocks.get(i).forward(x, i, all);
        return lnF.forward(x);
    }

    /**
     * images (B, 3, S, S) -> the CLS row only (B, 1, D), equal to row 0 of {@link #forward}. The last
     * block computes its queries, output projection and MLP for that row alone: with 36 patches that
     * is about a quarter of the encoder's FLOPs, forward and backward, that no visual token reads.
     */
    public Tensor forwardCls(Tensor images, ForwardContext ctx) {
        Tensor x = embed(images, ctx);
        if (blocks.isEmpty()) return lnF.forward(Shaping.slice(x, 1, 0, 1));
        Rows all = new Rows(ctx, false);
        for (int i = 0; i < blocks.size() - 1; i++) x = blocks.get(i).forward(x, i, all);
        return lnF.forward(blocks.getLast().forward(x, blocks.size() - 1, new Rows(ctx, true))); // (B, 1, D)
    }

    /**
     * The blocks' pieces on tensors, for every row or, with {@code clsOnly}, for row 0 alone: then
     * only the CLS row's query attends (every row still serves as a key and value), and the
     * residual and the MLP carry that row only.
     */
    private record Rows(ForwardContext ctx, boolean clsOnly) implements TransformerBlock.Path<Tensor, Mlp> {
        @Override
        public Tensor norm(LayerNorm norm, Tensor x) {
            return norm.forward(x);
        }

        @Override
        public Tensor attention(int layer, Attention attention, Tensor normed) {
            if (!clsOnly) return attention.forward(normed);                                     // (B, N+1, D)
            return attention.forwardQueries(Shaping.slice(normed, 1, 0, 1), normed);              // (B, 1, D)
        }

        @Override
        public Tensor feedForward(int layer, Mlp mlp, Tensor normed) {
            return mlp.forward(normed);
        }

        /** x + dropout(out), over the rows out has: all of x, or (CLS only) its first. */
        @Override
        public Tensor residual(Tensor x, Tensor out) {
            Tensor rows = out.dim(1) == x.dim(1) ? x : Shaping.slice(x, 1, 0, out.dim(1));
            return Elementwise.add(rows, ctx.dropout(out));
        }
    }

    /** Patch embedding, CLS token and positions: images (B, 3, S, S) -> (B, N+1, D). */
    private Tensor embed(Tensor images, ForwardContext ctx) {
        int b = images.dim(0), d = config.width();
        if (images.rank() != 4 || images.dim(1) != 3 || images.dim(2) != config.imageSize() || images.dim(3) != config.imageSize()) {
            throw new IllegalArgumentException("images must be (B, 3, " + config.imageSize() + ", " + config.imageSize() + "), got " + Arrays.toString(images.shape()));
        }
        Tensor patches = NnOps.patchify(images, config.patchSize());                     // (B, N, 3*p*p)
        Tensor weight = Shaping.reshape(patchWeight, d, -1);                              // (D, 3*p*p)
        Tensor x = Linalg.linear(patches, weight, patchBias);                             // (B, N, D)
        Tensor cls = Indexing.indexSelect(Shaping.reshape(clsToken, 1, 1, d), new int[b]); // (B, 1, D)
        x = Shaping.concat(1, cls, x);                                                    // (B, N+1, D)
        x = Elementwise.add(x, posEmbed);
        return ctx.dropout(x);
    }
}
