package org.seemore.bench;

import org.seemore.model.VlmConfig;
import org.seemore.model.decoder.DecoderConfig;
import org.seemore.model.vision.VitConfig;

/**
 * The floating-point operations of the matrix products in one pass of the model, counted from the
 * shapes (2·m·n·k per product) and the routing actually taken. The backward pass runs two products
 * per forward product (input and weight gradients), except where the input needs no gradient
 * (the patch embedding's pixels).
 */
public final class MatmulFlops {
    private MatmulFlops() {}

    /** Forward FLOPs; {@code expertRows} is the total number of token-expert assignments processed. */
    public static double forward(VlmConfig config, int batch, int textTokens, long expertRows) {
        VitConfig v = vit(config);
        DecoderConfig c = decoder(config);
        double f = 0;
        int n = v.numPatches(), seq = n + 1, d = v.width(), hdV = d / v.heads();
        long vRows = (long) batch * seq;
        f += 2.0 * batch * n * d * (3.0 * v.patchSize() * v.patchSize());    // patch embedding
        for (int l = 0; l < v.layers(); l++) {
            // with CLS visual tokens the last block computes queries, projection and MLP for the CLS row only
            boolean clsOnly = v.imageTokens() == VitConfig.ImageTokens.CLS && l == v.layers() - 1;
            long qRows = clsOnly ? batch : vRows;
            f += 2.0 * qRows * d * d + 2.0 * vRows * d * 2 * d + 2.0 * qRows * d * d; // q, kv, proj
            f += 2.0 * batch * v.heads() * (qRows / batch) * seq * hdV * 2;          // scores, weighted values
            f += 2.0 * qRows * d * 4 * d * 2;                                          // mlp
        }
        int nv = v.featureRows(), len = nv + textTokens, w = c.width(), hd = w / c.heads();
        f += 2.0 * batch * nv * (d * 4.0 * d + 4.0 * d * w);                    // projector
        long rows = (long) batch * len;
        for (int l = 0; l < c.layers(); l++) {
            f += 2.0 * rows * w * 3 * w + 2.0 * rows * w * w;                   // qkv, proj
            f += 2.0 * batch * c.heads() * (double) len * len * hd * 2;         // full square (the kernel computes it; masking is after)
            f += 2.0 * rows * w * c.numExperts() * 2;                           // router gate + noise
        }
        f += 2.0 * expertRows * w * 4 * w * 2;                                  // experts, all layers
        f += 2.0 * rows * w * c.vocabSize();                                    // lm head
        return f;
    }

    /** Forward + backward FLOPs of a training step. */
    public static double trainStep(VlmConfig config, int batch, int textTokens, long expertRows) {
        double fwd = forward(config, batch, textTokens, expertRows);
        VitConfig v = vit(config);
        double patchInput = 2.0 * batch * v.numPatches() * v.width() * (3.0 * v.patchSize() * v.patchSize());
        return fwd + 2 * fwd - patchInput;
    }

    private static VitConfig vit(VlmConfig config) {
        if (config.vision() instanceof VitConfig v) return v;
        throw new IllegalArgumentException("FLOPs are counted for the ViT vision tower only, not " + config.vision());
    }

    private static DecoderConfig decoder(VlmConfig config) {
        if (config.language() instanceof DecoderConfig d) return d;
        throw new IllegalArgumentException("FLOPs are counted for the MoE decoder only, not " + config.language());
    }
}
