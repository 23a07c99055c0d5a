package org.seemore.model.vision;

import java.util.ArrayList;
import java.util.List;
import org.seemore.model.ForwardContext;
import org.seemore.model.VlmConfig;
import org.seemore.nn.Attention;
import org.seemore.nn.LayerNorm;
import org.seemore.nn.Linear;
import org.seemore.nn.Mlp;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The vision encoder, a ViT (Dosovitskiy et al. 2021): patch embedding (a conv with kernel = stride
 * = patch, computed as a Linear over unfolded patches), a CLS token, learned positions, pre-LN
 * blocks and a final LayerNorm over every position.
 */
public final class VisionEncoder {

    /** A pre-LN transformer block: {@code x + attn(ln1(x))}, then {@code x + mlp(ln2(x))}. */
    static final class Block {
        final LayerNorm ln1, ln2;
        final Attention attn;
        final Mlp mlp;

        Block(Params p, int width, int heads) {
            ln1 = new LayerNorm(p.sub("ln1"), width);
            attn = new Attention(p.sub("attn"), width, heads, false);
            ln2 = new LayerNorm(p.sub("ln2"), width);
            mlp = new Mlp(p.sub("mlp"), width, 4 * width, width, Mlp.Activation.GELU);
        }

        Tensor forward(Tensor x, ForwardContext ctx) {
            x = Elementwise.add(x, ctx.dropout(attn.forward(ln1.forward(x)))); // (B, N+1, D)
            return Elementwise.add(x, ctx.dropout(mlp.forward(ln2.forward(x))));
        }

        /** The same block's output for the first row (CLS) only: every row still serves as a key and value. */
        Tensor forwardCls(Tensor x, ForwardContext ctx) {
            Tensor h = ln1.forward(x);                                                      // (B, N+1, D)
            Tensor cls = Shaping.slice(x, 1, 0, 1);                                         // (B, 1, D)
            cls = Elementwise.add(cls, ctx.dropout(attn.forwardQueries(Shaping.slice(h, 1, 0, 1), h)));
            return Elementwise.add(cls, ctx.dropout(mlp.forward(ln2.forward(cls))));
        }
    }

    private final VlmConfig config;
    private final Tensor patchWeight; // (D, 3, p, p)
    private final Tensor patchBias;   // (D)
    private final Tensor clsToken;    // (1, 1, D)
    private final Tensor posEmbed;    // (1, N+1, D)
    private final List<Block> blocks = new ArrayList<>();
    private final LayerNorm lnF;

    public VisionEncoder(Params p, VlmConfig config) {
        this.config = config;
        int d = config.visionWidth(), patch = config.patchSize();
        Params pe = p.sub("patch_embed");
        patchWeight = pe.normal("weight", 0.02f, d, 3, patch, patch);
        patchBias = pe.zeros("bias", d);
        clsToken = p.normal("cls_token", 0.02f, 1, 1, d);
        posEmbed = p.normal("pos_embed", 0.02f, 1, config.numPatches() + 1, d);
        for (int i = 0; i < config.visionLayers(); i++) blocks.add(new Block(p.sub("blocks." + i), d, config.visionHeads()));
        lnF = new LayerNorm(p.sub("ln_f"), d);
    }

    /** images (B, 3, S, S) -> every encoded row (B, N+1, D), row 0 being CLS. */
    public Tensor forward(Tensor images, ForwardContext ctx) {
        Tensor x = embed(images, ctx);
        for (Block block : blocks) x = block.forward(x, ctx);
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
        for (int i = 0; i < blocks.size() - 1; i++) x = blocks.get(i).forward(x, ctx);
        return lnF.forward(blocks.getLast().forwardCls(x, ctx));                          // (B, 1, D)
    }

    /** Patch embedding, CLS token and positions: images (B, 3, S, S) -> (B, N+1, D). */
    private Tensor embed(Tensor images, ForwardContext ctx) {
        int b = images.dim(0), d = config.visionWidth();
        if (images.rank() != 4 || images.dim(1) != 3 || images.dim(2) != config.imageSize() || images.dim(3) != config.imageSize()) {
            throw new IllegalArgumentException("images must be (B, 3, " + config.imageSize() + ", " + config.imageSize() + "), got " + java.util.Arrays.toString(images.shape()));
        }
        Tensor patches = NnOps.patchify(images, config.patchSize());                     // (B, N, 3*p*p)
        Tensor weight = Shaping.reshape(patchWeight, d, -1);                              // (D, 3*p*p)
        Tensor x = org.seemore.tensor.Linalg.linear(patches, weight, patchBias);          // (B, N, D)
        Tensor cls = Indexing.indexSelect(Shaping.reshape(clsToken, 1, 1, d), new int[b]); // (B, 1, D)
        x = Shaping.concat(1, cls, x);                                                    // (B, N+1, D)
        x = Elementwise.add(x, posEmbed);
        return ctx.dropout(x);
    }
}
