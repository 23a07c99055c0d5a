package org.seemore.model.hfvision;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.seemore.model.hf.VisionConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.Linalg;
import org.seemore.tensor.NnOps;
import org.seemore.tensor.Shaping;
import org.seemore.tensor.Tensor;

/**
 * The {@code patch_embedding} convolution (kernel = stride = patch; CLIP's without bias, SigLIP's
 * with), computed as a Linear over unfolded patches. Like the strided conv, it ignores the last
 * {@code image_size mod patch_size} rows and columns (SigLIP so400m: 384 pixels, patch 14, 27 x 27).
 */
record PatchEmbedding(VisionConfig config, Tensor weight, Tensor bias) {

    /** {@code patch_embedding.weight} (D, C, p, p), and its bias when {@code bias}. */
    static PatchEmbedding create(Params p, VisionConfig c, boolean bias) {
        int d = c.hiddenSize(), patch = c.patchSize();
        Tensor w = p.normal("weight", 0.02f, d, c.numChannels(), patch, patch);
        return new PatchEmbedding(c, w, bias ? p.zeros("bias", d) : null);
    }

    /** images (B, C, S, S) -> patch rows (B, N, D), row-major over the grid. */
    Tensor forward(Tensor images) {
        int s = config.imageSize(), used = config.gridSize() * config.patchSize();
        if (images.rank() != 4 || images.dim(1) != config.numChannels() || images.dim(2) != s || images.dim(3) != s) {
            throw new IllegalArgumentException("images must be (B, " + config.numChannels() + ", " + s + ", " + s + "), got " + Arrays.toString(images.shape()));
        }
        if (used != s) images = Shaping.slice(Shaping.slice(images, 2, 0, used), 3, 0, used);
        Tensor patches = NnOps.patchify(images, config.patchSize());                          // (B, N, C*p*p)
        return Linalg.linear(patches, Shaping.reshape(weight, config.hiddenSize(), -1), bias); // (B, N, D)
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
