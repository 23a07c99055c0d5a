package org.seemore.model.hfvision;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.Elementwise;
import org.seemore.tensor.Indexing;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The towers' {@code embeddings}: the {@code patch_embedding} convolution (kernel = stride = patch;
 * CLIP's without bias, SigLIP's with), computed as a Linear over unfolded patches, CLIP's
 * {@code class_embedding} before the patches, and the learned {@code position_embedding}. Like the
 * strided conv, it ignores the last {@code image_size mod patch_size} rows and columns (SigLIP
 * so400m: 384 pixels, patch 14, a 27 x 27 grid).
 */
record Embeddings(VisionConfig config, Tensor patchWeight, Tensor patchBias, Tensor classEmbedding, Tensor positionEmbedding) {

    /** The parameters under {@code p} (the {@code embeddings} scope) that {@code c}'s family has. */
    static Embeddings create(Params p, VisionConfig c) {
        int d = c.hiddenSize(), patch = c.patchSize();
        boolean clip = c.family() == VisionConfig.Family.CLIP;
        Tensor cls = clip ? p.normal("class_embedding", 0.02f, d) : null;                // (D)
        Params conv = p.sub("patch_embedding");
        Tensor w = conv.normal("weight", 0.02f, d, c.numChannels(), patch, patch);       // (D, C, p, p)
        Tensor bias = clip ? null : conv.zeros("bias", d);
        return new Embeddings(c, w, bias, cls, p.sub("position_embedding").normal("weight", 0.02f, c.numPositions(), d));
    }

    /** images (B, C, S, S) -> the class row (CLIP) and patch rows, row-major over the grid, plus positions: (B, N(+1), D). */
    Tensor forward(Tensor images) {
        int s = config.imageSize(), used = config.gridSize() * config.patchSize(), d = config.hiddenSize();
        if (images.rank() != 4 || images.dim(1) != config.numChannels() || images.dim(2) != s || images.dim(3) != s) {
            throw new IllegalArgumentException("images must be (B, " + config.numChannels() + ", " + s + ", " + s + "), got " + Arrays.toString(images.shape()));
        }
        if (used != s) images = Shaping.slice(Shaping.slice(images, 2, 0, used), 3, 0, used);
        Tensor patches = NnOps.patchify(images, config.patchSize());                     // (B, N, C*p*p)
        Tensor x = Linalg.linear(patches, Shaping.reshape(patchWeight, d, -1), patchBias); // (B, N, D)
        if (classEmbedding != null) {
            Tensor cls = Indexing.indexSelect(Shaping.reshape(classEmbedding, 1, 1, d), new int[images.dim(0)]); // (B, 1, D)
            x = Shaping.concat(1, cls, x);                                               // (B, N+1, D)
        }
        return Elementwise.add(x, Shaping.reshape(positionEmbedding, 1, x.dim(1), d));
    }

    /** Throws unless {@code c} is a config of {@code family}. */
    static void require(VisionConfig c, VisionConfig.Family family) {
        if (c.family() != family) throw new IllegalArgumentException("a " + c.family() + " config is not a " + family + " tower");
    }

    /** The parameters created under {@code params} since {@code before} was taken: a model's own. */
    static Map<String, Tensor> added(Params params, Set<String> before) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        params.all().forEach((name, t) -> {
            if (!before.contains(name)) own.put(name, t);
        });
        return Collections.unmodifiableMap(own);
    }
}
