package org.seemore.model.llava;

import org.seemore.UserException;
import org.seemore.model.hf.Architecture;
import org.seemore.model.hf.HfModelDirectory;
import org.seemore.model.hf.HfWeights;
import org.seemore.model.hf.LlavaConfig;
import org.seemore.model.hfvision.HfVisionModel;
import org.seemore.model.hfvision.HfVisionTowerConfig;
import org.seemore.nn.Params;
import org.seemore.tensor.Rng;
import org.seemore.tensor.Tensor;

/**
 * LLaVA's image side, float32 with autodiff: the CLIP or SigLIP tower ({@code vision_tower.*}), whose
 * hidden state at {@code vision_feature_layer} gives {@code featureRows} rows per image, and the
 * {@link LlavaProjector} ({@code multi_modal_projector.*}) that maps them to the decoder's width.
 * {@link LlavaModel} builds one beside its decoder; an inference session loads it alone
 * ({@link #load}) and runs its decoder on another path.
 */
public final class LlavaImageEncoder {
    private final LlavaConfig config;
    private final HfVisionModel tower;
    private final LlavaProjector projector;

    /** Fresh weights, the parameters created under {@code params} with their HF names. */
    LlavaImageEncoder(LlavaConfig config, Params params) {
        this.config = config;
        tower = HfVisionTowerConfig.of(config).build(params.sub("vision_tower"));
        projector = new LlavaProjector.Config(config.projectorHiddenAct(), config.projectorBias())
                .build(params.sub("multi_modal_projector"), config.vision().hiddenSize(), config.text().hiddenSize());
    }

    /** The tower and projector of a LLaVA directory with their weights; the decoder's tensors are not read. */
    public static LlavaImageEncoder load(HfModelDirectory directory) {
        Params params = new Params(new Rng(0));
        LlavaImageEncoder encoder;
        try {
            encoder = new LlavaImageEncoder(config(directory), params);
        } catch (IllegalArgumentException e) {
            throw new UserException(directory.directory() + ": " + e.getMessage());
        }
        HfWeights.load(params.all(), directory.weights());
        return encoder;
    }

    /** A LLaVA directory's config; another architecture is one line. */
    static LlavaConfig config(HfModelDirectory directory) {
        if (!(directory.config().config() instanceof LlavaConfig config)) {
            throw new UserException(directory.directory() + ": a " + directory.architecture().className + " is not a "
                    + Architecture.LLAVA.className);
        }
        return config;
    }

    public LlavaConfig config() { return config; }
    public HfVisionModel tower() { return tower; }
    public LlavaProjector projector() { return projector; }

    /** Feature rows per image: the image tokens each image takes in a prompt. */
    public int featureRows() {
        return tower.config().featureRows();
    }

    /** The projected features (I, Nv, C) of pixel values (I, 3, S, S). */
    public Tensor features(Tensor pixelValues) {
        return projector.forward(tower.features(pixelValues));
    }

    /** Refuses, in one line, input ids (image tokens expanded) that do not hold {@link #featureRows} image tokens per image. */
    public void checkImageTokens(int[] inputIds, int images) {
        int rows = featureRows(), imageTokens = 0;
        for (int id : inputIds) if (id == config.imageTokenIndex()) imageTokens++;
        if (imageTokens != images * rows) {
            throw new UserException("the prompt holds " + imageTokens + " image tokens (id " + config.imageTokenIndex() + ") for " + images
                    + (images == 1 ? " image" : " images") + " of " + rows + " features each (image_seq_length " + config.imageSeqLength()
                    + "): expand each image to " + rows + " image tokens");
        }
    }
}
